"""The police's role in a story (roles.py): victims are not criticised, agents of harm are (issue 11)."""

from __future__ import annotations

import pytest

from monitor.nlp.roles import mention_sentences, police_role

CASES = [
    # police as victims: never criticism of the unit
    (
        "Côn đồ hành hung công an xã",
        "Hai đối tượng say rượu đánh cán bộ công an xã khi bị nhắc nhở.",
        "victim",
    ),
    (
        "Tạm giữ 2 cha con hành hung cán bộ công an",
        "Hai cha con dùng gậy đánh chiến sĩ công an xã.",
        "victim",
    ),
    (
        "4 tên côn đồ tấn công 1 cảnh sát",
        "Đại úy công an phường bị chém vào đầu khi đang làm nhiệm vụ.",
        "victim",
    ),
    ("Bắt tiếp 2 đối tượng chống người thi hành công vụ", "Liên quan vụ gây rối tại lễ động thổ.", "victim"),
    # the police (or a lock-up in their care) as the agent of harm, in flat words
    (
        "Đăk Lăk: Cảnh sát giao thông đánh tài xế",
        "Một cảnh sát giang tay tát vào thái dương ông Phú.",
        "misconduct",
    ),
    ("Người dân tố trưởng công an xã đánh người", "Người dân xã Ya Chiêm cho biết bị đánh.", "misconduct"),
    ("Hai bị can trốn khỏi nhà tạm giữ công an huyện", "Công an đang truy tìm.", "misconduct"),
    ("Một phạm nhân tử vong trong trại tạm giam", "Gia đình đề nghị làm rõ.", "misconduct"),
    ("Luật sư cho rằng điều tra viên đã ép cung", "Phiên tòa sơ thẩm lần 2.", "misconduct"),
    ("Một người dân đòi bồi thường vì bị bắt oan", "Bà Ước bị giam hơn 2 năm.", "misconduct"),
    ("7 công an bị bắt liên quan tụ điểm ma túy", "Cơ quan điều tra xác định có sự làm ngơ.", "abuse"),
    ("Cán bộ công an nhận hối lộ để bỏ qua vi phạm", "Vụ việc bị phát hiện qua đơn tố cáo.", "abuse"),
    # officials' corruption (not a summary of cases)
    (
        "Giám đốc lâm trường bị bắt giam",
        "Ông Hóa bị khởi tố về tội thiếu trách nhiệm gây hậu quả nghiêm trọng.",
        "corruption",
    ),
    (
        "Tham ô tiền tỷ để cá độ bóng đá",
        "Thủ kho chi nhánh đã tuồn 11.000 két bia ra thị trường.",
        "corruption",
    ),
    # a successful operation: the police act
    (
        "Trộm sà lan, cưa thành sắt vụn để bán",
        "Công an Vĩnh Long vừa bắt khẩn cấp Trương Minh Thành.",
        "action",
    ),
    (
        "Tên cướp trốn trại gây án",
        "Cảnh sát hình sự đã bắt được Nay Rơ Non khi hắn vừa cướp túi xách.",
        "action",
    ),
    # nothing to say about the police
    (
        "Hơn 1.300 cán bộ bị khởi tố vì tham nhũng đất đai",
        "Trong 5 năm qua, 1.334 cán bộ đã bị khởi tố.",
        None,
    ),
    ("Giá vàng tăng mạnh", "Giá vàng miếng tăng 500.000 đồng mỗi lượng.", None),
    # the police warning the public, or impersonated: a public-service story
    ("Công an cảnh báo thủ đoạn lừa đảo mới qua mạng", "Kẻ gian giả danh nhân viên ngân hàng.", "advice"),
    (
        "Cảnh báo thủ đoạn giả danh công an gọi điện lừa đảo",
        "Công an tỉnh khuyến cáo người dân không chuyển tiền theo yêu cầu qua điện thoại.",
        "advice",
    ),
    ("Kẻ gian giả danh cán bộ công an để chiếm đoạt tiền", "Nhiều người đã mắc bẫy.", "advice"),
    ("Cảnh báo giá vàng có thể giảm mạnh", "Các chuyên gia nhận định thị trường biến động.", None),
    # advice does not hide misconduct in the same story
    (
        "Trưởng công an xã đánh người rồi khuyến cáo người dân im lặng",
        "Người dân bức xúc.",
        "misconduct",
    ),
    ("Canh bao thu doan gia danh cong an goi dien", "Cong an tinh khuyen cao nguoi dan.", "advice"),
    # second round (issue 11): traps seen while labelling more real press
    ("Công an xã dùng dùi cui báng súng đánh nghi phạm", "Người bị đánh phải nhập viện.", "misconduct"),
    ("Công an xã bị kẻ trốn khỏi nơi tạm giữ đâm chết", "Hai chiến sĩ khác bị thương.", "misconduct"),
    ("Hai cảnh sát giao thông bị 3 thanh niên đánh trọng thương", "Vụ việc xảy ra tại ngã tư.", "victim"),
    ("Súng cướp cò, công an bắn bị thương một người đánh bạc", "Gia đình đề nghị làm rõ.", "misconduct"),
    (
        "Khởi tố vụ tổ chức đánh bạc",
        "Công an huyện khởi tố bị can về tội đánh bạc tại xã Hòa Liên.",
        "action",
    ),
    ("Khởi tố kẻ hành hung một cục phó của Bộ Công an", "Bốn người đã bị tạm giữ.", "victim"),
    ("Công an xác định nghi can nổ súng là một cựu bảo vệ", "Nạn nhân đang được cấp cứu.", None),
    (
        "Tăng cường tranh tụng để tránh oan sai",
        "Tòa án sẽ chỉ đạo thực hiện tranh tụng tại các phiên tòa.",
        None,
    ),
    ("Nhiều lần trốn trại để tiếp tục lừa đảo", "Sơn đã bị Công an TP HCM bắt vào tháng 8.", "action"),
    ("Kẻ trốn sự truy bắt của công an đã ra đầu thú", "Y khai nhận hành vi.", "action"),
    (
        "Hà Tĩnh: Bắt tạm giam nguyên phó giám đốc công ty thủy sản",
        "Ông bị khởi tố về tội lừa đảo.",
        "corruption",
    ),
    ("Kiểm sát viên lừa đảo hơn 3 tỷ đồng", "Viện kiểm sát đã phê chuẩn quyết định khởi tố.", "corruption"),
    ("Công an TP vừa bắt quả tang một thư ký tòa án đang nhận tiền", "Đương sự đã tố giác.", "corruption"),
    ("Hơn 2.100 cán bộ bị kỷ luật vì sai phạm đất đai", "Trong 5 năm qua.", None),
    ("TP HCM: tạm giữ 5 taxi dù", "Thanh tra giao thông đã lập biên bản các tài xế.", "action"),
    ("Xử phạt hơn 400 học sinh đi xe phân khối lớn", "Đợt kiểm tra kéo dài 10 ngày.", "action"),
    ("Phạt tù 3 người rải đinh trên cao tốc", "Tòa tuyên án sáng qua.", None),
    ("Phá đá lở trên quốc lộ bằng mìn", "Ban quản lý dự án cho biết sẽ thông xe trong ngày.", None),
    ("Cơ quan chức năng vẫn chưa phát hiện vi phạm ở quán bar", "Người dân tiếp tục phản ánh.", None),
    # written without diacritics
    ("Con do hanh hung cong an xa", "Hai doi tuong da bi tam giu.", "victim"),
    ("Cong an xa dung dui cui bang sung danh nghi pham", "Nguoi bi danh phai nhap vien.", "misconduct"),
    ("Nguoi dan to truong cong an xa danh nguoi", "Vu viec gay buc xuc.", "misconduct"),
]


@pytest.mark.parametrize(("title", "lead", "kind"), CASES)
def test_police_role(title: str, lead: str, kind: str | None) -> None:
    role = police_role(title, lead)
    assert (role.kind if role else None) == kind
    if role:
        assert role.words in (title + " " + lead).lower().replace(",", " ") and role.reason.count('"') == 2


def test_the_sentence_around_the_mention_weighs_more() -> None:
    """A story whose lead is about an arrest but whose mention sentence says the police were attacked."""
    title, lead = "Bắt 2 đối tượng gây rối", "Công an huyện đã bắt giữ 2 đối tượng."
    assert police_role(title, lead).kind == "action"  # type: ignore[union-attr]
    focus = "Trước đó, hai đối tượng đã hành hung cán bộ Công an xã Đăk Ui, huyện Đăk Hà"
    assert police_role(title, lead, focus).kind == "victim"  # type: ignore[union-attr]


def test_mention_sentences_cuts_around_each_span() -> None:
    text = "Tiêu đề ngắn\n\nCâu một không có gì. Công an xã Đăk Ui bị tấn công hôm qua. Câu ba."
    start = text.index("Công an")
    assert mention_sentences(text, [(start, start + 18)]) == "Công an xã Đăk Ui bị tấn công hôm qua"
    assert mention_sentences(text, []) == ""
