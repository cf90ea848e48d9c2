"""Seeding helpers and Vietnamese texts shared by the queue tests (no tests here)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from monitor.queue.dedup import fold
from monitor.store.db import Database
from monitor.store.queue_tables import CaseRow
from monitor.store.tables import AnalysisRow, ArticleRow, MentionRow, SourceRow
from monitor.store.users import add_user

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
# What a verdict that leads to a response must carry (a note and at least one piece of evidence).
PROOF = {"note": "Đã xác minh với Phòng CSGT", "evidence": ("https://congan.kontum.gov.vn/xac-minh",)}
_counter = itertools.count(1)

QUEUE_STORY = (
    "Người dân xếp hàng từ 4 giờ sáng chờ làm căn cước tại Công an tỉnh Kon Tum",
    "Nhiều người dân phản ánh phải xếp hàng từ 4 giờ sáng tại điểm cấp căn cước của Công an tỉnh Kon Tum "
    "nhưng đến trưa vẫn chưa được giải quyết hồ sơ. Bà Y Hiên, trú xã Đăk Blà, cho biết gia đình đã đi "
    "ba lần, mỗi lần mất gần một ngày công mà vẫn chưa làm xong thủ tục vì hệ thống thường xuyên bị lỗi. "
    "Một số người cho rằng cán bộ tiếp dân thiếu niềm nở, hướng dẫn chưa rõ ràng khiến người dân phải bổ "
    "sung giấy tờ nhiều lần. Trao đổi với phóng viên, lãnh đạo Phòng Cảnh sát quản lý hành chính về trật "
    "tự xã hội cho biết đơn vị đang tăng cường cán bộ, bố trí làm việc cả ngày thứ Bảy và Chủ nhật để "
    "giảm tình trạng quá tải trong thời gian tới.",
)
DRUG_STORY = (
    "Công an tỉnh Kon Tum triệt phá đường dây mua bán ma túy xuyên tỉnh",
    "Ngày 25/11, Phòng Cảnh sát điều tra tội phạm về ma túy Công an tỉnh Kon Tum cho biết vừa triệt phá "
    "thành công một đường dây mua bán trái phép chất ma túy từ Gia Lai về địa bàn thành phố Kon Tum. "
    "Lực lượng chức năng bắt giữ 5 đối tượng, thu giữ hơn 2 kg ma túy tổng hợp, 3 xe máy cùng nhiều điện "
    "thoại di động. Các đối tượng khai nhận đã nhiều lần vận chuyển ma túy bằng xe khách rồi chia nhỏ để "
    "bán lẻ cho người nghiện tại các quán karaoke. Vụ án đang được mở rộng điều tra.",
)
TRAFFIC_STORY = (
    "Tai nạn liên hoàn trên đèo Măng Đen, hai người bị thương",
    "Chiều 26/11, trên Quốc lộ 24 đoạn qua đèo Măng Đen, huyện Kon Plông, tỉnh Kon Tum đã xảy ra vụ tai "
    "nạn giao thông liên hoàn giữa một xe tải chở keo và hai xe máy. Vụ tai nạn khiến hai người đi xe máy "
    "bị thương nặng, được người dân đưa đi cấp cứu tại bệnh viện đa khoa khu vực. Nguyên nhân ban đầu được "
    "xác định do xe tải mất phanh khi xuống dốc. Phòng Cảnh sát giao thông Công an tỉnh Kon Tum đã có mặt "
    "phân luồng và phối hợp khám nghiệm hiện trường.",
)


def ascii_copy(text: str) -> str:
    """The text as a social post without diacritics would write it."""
    return fold(text)


def seed_source(session, key: str = "baomoi", name: str = "Báo Mới", weight: float = 1.0) -> int:
    """A SourceRow; its id."""
    row = SourceRow(
        key=key,
        name=name,
        url=f"https://{key}.example.vn/rss",
        kind="rss",
        weight=weight,
        enabled=True,
        consecutive_failures=0,
        failure_score=0.0,
        created_at=NOW,
    )
    session.add(row)
    session.flush()
    return row.id


# Written for this project: one event (detainees escaping a district lock-up) told by two newsrooms in their
# own words, as real outlets do (they share a fifth of their word pairs, so near-duplicate tests miss them).
ESCAPE_A = (
    "Hai bị can trốn khỏi nhà tạm giữ Công an huyện Đăk Hà",
    "Rạng sáng 28/11, hai bị can đang bị tạm giữ tại nhà tạm giữ Công an huyện Đăk Hà, tỉnh Kon Tum đã phá "
    "khóa buồng giam rồi bỏ trốn. Hai người này là Y Khoa (22 tuổi) và A Thiết (25 tuổi), đều bị bắt hồi đầu "
    "tháng về hành vi trộm cắp tài sản. Ngay sau khi phát hiện, Công an tỉnh Kon Tum đã huy động lực lượng "
    "truy bắt và phát thông báo truy nã. Người dân phát hiện đối tượng đề nghị báo cho cơ quan công an gần nhất.",
)
ESCAPE_B = (
    "Kon Tum: Truy bắt 2 đối tượng phá khóa buồng giam bỏ trốn",
    "Công an tỉnh Kon Tum đang khẩn trương truy bắt Y Khoa và A Thiết, hai bị can vừa trốn khỏi nhà tạm giữ "
    "Công an huyện Đăk Hà vào khoảng 3 giờ sáng 28/11. Theo thông tin ban đầu, lợi dụng đêm tối, hai đối tượng "
    "đã cạy khóa buồng giam, vượt tường rào ra ngoài. Cả hai bị tạm giữ từ ngày 5/11 vì trộm cắp xe máy của "
    "người dân trong huyện. Cơ quan chức năng đã ra quyết định truy nã, đề nghị ai phát hiện tung tích báo ngay.",
)
# The same report with every name taken out: the words still agree, but nothing identifies the event.
ESCAPE_B_NAMELESS = (
    "Truy bắt 2 đối tượng phá khóa buồng giam bỏ trốn",
    "Công an đang khẩn trương truy bắt hai bị can vừa trốn khỏi nhà tạm giữ công an huyện vào khoảng 3 giờ "
    "sáng 28/11. Theo thông tin ban đầu, lợi dụng đêm tối, hai đối tượng đã cạy khóa buồng giam, vượt tường "
    "rào ra ngoài. Cả hai bị tạm giữ từ ngày 5/11 vì trộm cắp xe máy của người dân trong huyện. Cơ quan chức "
    "năng đã ra quyết định truy nã, đề nghị ai phát hiện tung tích báo ngay.",
)
# Another escape, elsewhere, other people: the same vocabulary, another event.
OTHER_ESCAPE = (
    "Phạm nhân trốn khỏi trại giam ở Gia Lai sau khi đi lao động",
    "Chiều 26/11, phạm nhân Rơ Châm Hiếu (30 tuổi) đang chấp hành án tại trại giam Gia Trung, tỉnh Gia Lai đã "
    "lợi dụng lúc đi lao động ngoài khu giam giữ để bỏ trốn. Hiếu đang thụ án 7 năm tù về tội cướp giật tài "
    "sản. Trại giam đã phối hợp Công an tỉnh Gia Lai tổ chức truy bắt, đề nghị người dân cung cấp thông tin.",
)
FIRE = (
    "Cháy lớn tại ki ốt chợ Kon Tum lúc rạng sáng",
    "Khoảng 3 giờ sáng 24/11, người dân sống gần chợ Kon Tum phát hiện lửa bùng lên từ dãy ki ốt bán quần áo "
    "nên hô hoán và gọi điện báo lực lượng chức năng. Phòng Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ "
    "Công an tỉnh Kon Tum điều 5 xe chữa cháy đến hiện trường. Nguyên nhân vụ cháy đang được điều tra.",
)


def seed_event_reports(
    db,
    second: tuple[str, str],
    *,
    at: datetime = NOW,
    later: timedelta = timedelta(0),
    key: str = "ev",
    second_flagged: bool = True,
) -> list[int]:
    """The day before: five other reports from outlet C; then ESCAPE_A from outlet A at `at` and `second`
    from outlet B `later`. The article ids in that order (the two reports last)."""
    with db.write() as s:
        a, b, c = (seed_source(s, f"{key}{i}", f"Báo {i}") for i in "ABC")
        ids = [
            seed_article(s, c, t, x, at=at - timedelta(hours=20 - i), flagged=False)
            for i, (t, x) in enumerate((QUEUE_STORY, DRUG_STORY, TRAFFIC_STORY, FIRE, OTHER_ESCAPE))
        ]
        ids.append(seed_article(s, a, *ESCAPE_A, at=at))
        ids.append(seed_article(s, b, *second, at=at + later, flagged=second_flagged))
    return ids


def seed_article(
    session,
    source_id: int,
    title: str,
    text: str,
    *,
    at: datetime = NOW,
    flagged: bool = True,
    topic: str = "dich_vu_cong",
    tone: str = "tieu_cuc",
    tone_score: float = 0.7,
    targets: tuple[str, ...] = ("ca_kon_tum",),
    reasons: tuple[str, ...] | None = None,
) -> int:
    """An article with its analysis and mentions; its id."""
    n = next(_counter)
    a = ArticleRow(
        source_id=source_id,
        item_key=f"item-{n}",
        url=f"https://x.vn/{n}",
        canonical_url=f"https://x.vn/{n}-{id(session)}",
        content_hash=f"h{n}",
        title=title,
        summary="",
        text=text,
        published_at=at,
        fetched_at=at,
        updated_at=at,
        extract_status="ok",
        extract_attempts=1,
        analysed_at=at,
    )
    session.add(a)
    session.flush()
    session.add(
        AnalysisRow(
            article_id=a.id,
            language="vi",
            topic=topic,
            topic_score=0.8,
            topic_reason=f"từ khóa chủ đề {topic}",
            tone=tone,
            tone_score=tone_score,
            tone_reason="từ ngữ phản ánh bức xúc",
            flagged=flagged,
            flag_reasons=list(
                reasons
                if reasons is not None
                else ["Nhắc đến Công an tỉnh Kon Tum và có giọng điệu tiêu cực"]
                if flagged
                else []
            ),
            model_version="test-1",
            analysed_at=at,
        )
    )
    for t in targets:
        session.add(
            MentionRow(
                article_id=a.id,
                target=t,
                kind="unit",
                alias="Công an tỉnh Kon Tum",
                level="exact",
                start=0,
                end=20,
                snippet="…Công an tỉnh Kon Tum…",
            )
        )
    session.flush()
    return a.id


def seed_users(db: Database) -> None:
    """One user per role plus a second collaborator."""
    with db.write() as s:
        add_user(s, "ctv1", "collaborator", "Nguyễn Văn An", NOW)
        add_user(s, "ctv2", "collaborator", "Trần Thị Bình", NOW)
        add_user(s, "bcv", "reporter", "Lê Văn Cường", NOW)
        add_user(s, "ld", "leader", "Phạm Minh Đức", NOW)
        add_user(s, "qt", "admin", "Hoàng Quản Trị", NOW)


def seed_cases(db: Database, n: int, *, state: str = "new", start: datetime = NOW) -> list[int]:
    """`n` flagged one-article stories, each with an open case (directly, without the stage); their ids."""
    from monitor.store.cases import open_case
    from monitor.store.queue_tables import StoryRow

    ids = []
    with db.write() as s:
        src = seed_source(s, key=f"src{next(_counter)}")
        for i in range(n):
            aid = seed_article(s, src, f"Vụ việc số {i}", "Nội dung phản ánh.", at=start)
            story = StoryRow(
                title=f"Vụ việc số {i}",
                first_article_id=aid,
                first_source_id=src,
                first_seen_at=start,
                last_seen_at=start,
                article_count=1,
                outlet_count=1,
                outlets=["Báo Mới"],
                targets=["ca_kon_tum"],
                topic="dich_vu_cong",
                tone="tieu_cuc",
                flagged=True,
                flag_reasons=[],
                max_outlet_weight=1.0,
                updated_at=start,
            )
            s.add(story)
            s.flush()
            if state == "new":  # the real way in: the case and its "open" event
                case_id = open_case(s, story.id, "normal", 2, [], start + timedelta(hours=72), start)
                assert case_id is not None
                ids.append(case_id)
                continue
            case = CaseRow(
                story_id=story.id,
                state=state,
                priority="normal",
                priority_rank=2,
                priority_reasons=[],
                priority_locked=False,
                opened_at=start,
                deadline_at=start + timedelta(hours=72),
                updated_at=start,
                version=1,
            )
            s.add(case)
            s.flush()
            ids.append(case.id)
    return ids
