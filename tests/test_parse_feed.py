"""parse_feed: every feed format, malformed feeds, things that are not feeds, titles, links, keys and caps."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.errors import NotAFeedError, ParseError
from monitor.parse import FeedItem, ParsedFeed, parse_feed

FIXTURES = Path(__file__).parent / "fixtures" / "parse"
BASE = "https://baomau.example.vn/rss/phap-luat.rss"


@pytest.fixture
def rss_samples(shared_data: Path) -> Path:
    """Real VnExpress snapshots in ../shared (test-only, never copied into the project); skip when absent."""
    path = shared_data / "rss_samples"
    if not path.is_dir():
        pytest.skip(f"VnExpress RSS snapshots not found at {path}")
    return path


def rss(items: str, *, channel_title: str = "Báo Mẫu") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{channel_title}</title><link>https://baomau.example.vn/</link>{items}</channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    ("name", "count", "first"),
    [
        (
            "rss20_kontum.xml",
            3,
            FeedItem(
                key="baomau-204512",
                url="https://baomau.example.vn/thoi-su/kon-tum-ra-quan-204512.html",
                title="Kon Tum ra quân bảo đảm an toàn giao thông dịp cuối năm",
                summary_html="",  # not compared
                summary_text="Lực lượng chức năng tỉnh Kon Tum tổ chức lễ ra quân cao điểm bảo đảm trật tự an toàn "
                "giao thông dịp cuối năm.",
                published_at=datetime(2026, 11, 20, 1, 15, tzinfo=UTC),
                author="Minh Anh",
            ),
        ),
        (
            "atom_kontum.xml",
            3,
            FeedItem(
                key="tag:baomau.example.vn,2026:204520",
                url="https://baomau.example.vn/xa-hoi/ngoc-hoi-khanh-thanh-cau-treo-204520.html",
                title="Ngọc Hồi khánh thành cầu treo cho học sinh vùng biên",
                summary_html="",
                summary_text="Cây cầu treo dài 90 mét giúp hơn 200 học sinh xã Đắk Dục không còn phải lội suối đến trường.",
                published_at=datetime(2026, 11, 20, 0, 30, tzinfo=UTC),
                author="Thu Trang",
            ),
        ),
        (
            "rss10_rdf.xml",
            2,
            FeedItem(
                key="https://baomau.example.vn/van-hoa/le-hoi-cong-chieng-204530.html",
                url="https://baomau.example.vn/van-hoa/le-hoi-cong-chieng-204530.html",
                title="Lễ hội cồng chiêng thu hút đông đảo du khách",
                summary_html="",
                summary_text="Hơn 30 đội cồng chiêng của đồng bào Ba Na, Xơ Đăng tham gia trình diễn.",
                published_at=datetime(2026, 11, 15, 12, 0, tzinfo=UTC),
            ),
        ),
        (
            "rss091.xml",
            1,
            FeedItem(
                key="https://baomau.example.vn/nong-nghiep/kon-plong-sam-day-204540.html",
                url="https://baomau.example.vn/nong-nghiep/kon-plong-sam-day-204540.html",
                title="Nông dân Kon Plông trúng mùa sâm dây",
                summary_html="",
                summary_text="Giá sâm dây năm nay ổn định, nhiều hộ thu về hàng trăm triệu đồng.",
                published_at=None,
            ),
        ),
    ],
)
def test_feed_formats(name: str, count: int, first: FeedItem) -> None:
    feed = parse_feed((FIXTURES / name).read_bytes(), {"Content-Type": "application/xml"}, BASE)
    assert isinstance(feed, ParsedFeed)
    assert not feed.bozo
    assert feed.title
    assert len(feed.items) == count
    got = feed.items[0]
    assert (got.key, got.url, got.title, got.summary_text, got.published_at, got.author) == (
        first.key,
        first.url,
        first.title,
        first.summary_text,
        first.published_at,
        first.author,
    )
    for item in feed.items:
        assert item.published_at is None or item.published_at.tzinfo is not None
        assert item.url is None or item.url.startswith("https://baomau.example.vn/")


def test_rss20_details() -> None:
    feed = parse_feed((FIXTURES / "rss20_kontum.xml").read_bytes(), {}, BASE)
    relative, guid_only = feed.items[1], feed.items[2]
    # A relative <link> is resolved against the feed URL; an item with only a URL guid uses it as link.
    assert relative.url == "https://baomau.example.vn/phap-luat/dak-ha-xu-ly-khai-thac-cat-204498.html"
    assert guid_only.url == "https://baomau.example.vn/phap-luat/sa-thay-tuyen-truyen-204470.html"
    # VnExpress-style description: the thumbnail link survives sanitising, the text is only the sapo.
    first = feed.items[0]
    assert '<img width="130" height="100" src="https://img.baomau.example.vn/2026/11/20/ra-quan.jpg">' in (
        first.summary_html
    )
    assert first.summary_text.startswith("Lực lượng")


def test_atom_details() -> None:
    feed = parse_feed((FIXTURES / "atom_kontum.xml").read_bytes(), {}, "https://baomau.example.vn/atom.xml")
    assert feed.title == "Tin & Sự kiện Kon Tum"
    coffee, weather = feed.items[1], feed.items[2]
    assert coffee.title == "Giá cà phê tăng mạnh"  # type="html" escaped twice: tags still dropped
    assert "<b>120.000 đồng</b>" in coffee.summary_html  # xhtml content used when there is no summary
    assert coffee.published_at == datetime(2026, 11, 19, 15, 0, tzinfo=UTC)  # only <updated>
    assert weather.summary_text == "Nhiệt độ thấp nhất 17 < 20 độ C, trời se lạnh về đêm."  # type="text"
    assert "&lt;" in weather.summary_html


def test_malformed_feed_of_our_own_yields_items() -> None:
    feed = parse_feed((FIXTURES / "malformed.xml").read_bytes(), {}, BASE)
    assert feed.bozo
    assert any("malformed" in w for w in feed.warnings)
    assert [i.title for i in feed.items] == [
        "Doanh nghiệp Kon Tum & Gia Lai ký kết hợp tác",
        "Cao su Kon Tum báo lãi quý III",
    ]
    assert feed.items[0].url == "https://baomau.example.vn/kinh-te/ky-ket-hop-tac-204550.html?a=1&b=2"
    assert feed.items[0].summary_text == "Hai tỉnh cam kết hỗ trợ doanh nghiệp trong chuỗi giá trị cà phê."


@pytest.mark.shared
def test_real_malformed_vnexpress_snapshot(rss_samples: Path) -> None:
    body = (rss_samples / "vnexpress_the-gioi_2025-02-06_1item.xml").read_bytes()
    headers = {"Content-Type": "application/rss+xml; charset=utf-8"}
    feed = parse_feed(body, headers, "https://vnexpress.net/rss/the-gioi.rss")
    assert feed.bozo  # unescaped & in <enclosure url=…>
    (item,) = feed.items
    assert item.title == "Israel nối gót Mỹ rời Hội đồng Nhân quyền LHQ"
    assert item.url == "https://vnexpress.net/israel-noi-got-my-roi-hoi-dong-nhan-quyen-lhq-4846612.html"
    assert item.summary_text.startswith("Ngoại trưởng Israel cho biết")
    assert item.published_at == datetime(2025, 2, 6, 13, 30, 48, tzinfo=UTC)


@pytest.mark.shared
@pytest.mark.parametrize(
    "name", ["vnexpress_thoi-su_2017-03-25.xml", "vnexpress_tin-moi-nhat_2017-07-26.xml"]
)
def test_real_vnexpress_snapshots(rss_samples: Path, name: str) -> None:
    feed = parse_feed((rss_samples / name).read_bytes(), {}, "http://vnexpress.net/rss/thoi-su.rss")
    assert not feed.bozo
    assert len(feed.items) == 25
    assert len({i.key for i in feed.items}) == 25
    for item in feed.items:
        assert item.title and item.title == item.title.strip() and "\n" not in item.title
        assert item.url and item.url.startswith("http://") and "vnexpress.net/" in item.url
        assert item.summary_text and "<" not in item.summary_text
        assert item.published_at is not None and item.published_at.utcoffset().total_seconds() == 0


NOT_FEEDS = [
    ("empty", b"", "rỗng"),
    ("whitespace", b" \r\n\t ", "rỗng"),
    (
        "html-page",
        "<!DOCTYPE html><html lang='vi'><head><title>Báo Mẫu</title></head>"
        "<body><h1>Trang chủ</h1><a href='/a'>Tin</a></body></html>".encode(),
        "trang HTML",
    ),
    ("html-no-doctype", b"<html><body><p>Xin ch\xc3\xa0o</p></body></html>", "trang HTML"),
    (
        "cloudflare",
        b'<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>'
        b'<meta http-equiv="refresh" content="390"></head><body><div id="challenge-running">Checking if the site '
        b'connection is secure</div><script src="/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray=8">'
        b"</script></body></html>",
        "chống bot",
    ),
    (
        "cloudflare-attention",
        b"<html><head><title>Attention Required! | Cloudflare</title></head><body>"
        b'<form id="challenge-form"></form></body></html>',
        "chống bot",
    ),
    (
        "captcha",
        b'<html><head><title>Xac minh</title></head><body><div class="g-recaptcha" '
        b'data-sitekey="x"></div></body></html>',
        "chống bot",
    ),
    ("json", b'{"error": "not found"}', "không phải RSS/Atom"),
    ("plain-text", "Trang này tạm ngừng hoạt động".encode(), "không phải RSS/Atom"),
    (
        "unknown-xml",
        b'<?xml version="1.0"?><sitemap><url>https://a.vn</url></sitemap>',
        "không phải RSS/Atom",
    ),
]


@pytest.mark.parametrize(("body", "fragment"), [c[1:] for c in NOT_FEEDS], ids=[c[0] for c in NOT_FEEDS])
def test_not_a_feed(body: bytes, fragment: str) -> None:
    with pytest.raises(NotAFeedError) as info:
        parse_feed(body, {"Content-Type": "text/html; charset=utf-8"}, BASE)
    assert fragment in info.value.message
    assert str(info.value).startswith("parse: ")
    assert isinstance(info.value, ParseError)


def test_feed_mentioning_captcha_is_still_a_feed() -> None:
    body = rss(
        "<item><title>Cảnh giác trang web giả mạo yêu cầu nhập captcha</title><guid>bai-1</guid>"
        "<description>Just a moment... là dòng chữ kẻ gian hay chép lại.</description></item>"
    )
    assert len(parse_feed(body, {}, BASE).items) == 1


def test_valid_feed_without_items_is_empty_not_an_error() -> None:
    feed = parse_feed(rss(""), {}, BASE)
    assert feed.items == () and feed.title == "Báo Mẫu"


TITLES = [
    ("&lt;script&gt;alert(1)&lt;/script&gt;Cháy chợ Kon Tum", "Cháy chợ Kon Tum"),
    ("<![CDATA[<script>alert('x')</script>Tin <i>mới</i> nhất]]>", "Tin mới nhất"),
    ("<![CDATA[<b>Hà Nội</b> mưa lớn]]>", "Hà Nội mưa lớn"),
    ("Giá vàng &amp;amp; ngoại tệ hôm nay", "Giá vàng & ngoại tệ hôm nay"),
    ("Bão số 9 &amp;amp;amp; mưa lũ", "Bão số 9 &amp; mưa lũ"),  # decoded once, not until nothing is left
    ("&amp;quot;Nóng&amp;quot; giá sầu riêng", '"Nóng" giá sầu riêng'),
    ("&#8220;Mắt bão&#8221; đi qua Quảng Ngãi", "“Mắt bão” đi qua Quảng Ngãi"),
    ("Cà phê &lt;b&gt;tăng&lt;/b&gt; giá", "Cà phê tăng giá"),
    ("Nhiệt độ 17 &lt; 20 độ C", "Nhiệt độ 17 < 20 độ C"),
    ("\n   Kon Tum\t mưa   to\n  ", "Kon Tum mưa to"),
    ("<![CDATA[Ảnh: <img src=x onerror=alert(1)>Lũ quét]]>", "Ảnh: Lũ quét"),
]


@pytest.mark.parametrize(("raw", "expected"), TITLES)
def test_titles_are_plain_text(raw: str, expected: str) -> None:
    feed = parse_feed(
        rss(f"<item><title>{raw}</title><guid>bai-1</guid></item>", channel_title=raw), {}, BASE
    )
    assert feed.items[0].title == expected
    assert feed.title == expected


BAD_LINKS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    "java&#x09;script:alert(1)",
    " &#1;javascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "ftp://baomau.example.vn/tep.zip",
    "mailto:toasoan@baomau.example.vn",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("link", BAD_LINKS)
def test_non_http_item_links_are_dropped(link: str) -> None:
    feed = parse_feed(rss(f"<item><title>Tin có link lạ</title><link>{link}</link></item>"), {}, BASE)
    (item,) = feed.items
    assert item.url is None
    assert item.key.startswith("sha256:")  # a dropped link is no identity
    assert any("link dropped" in w for w in feed.warnings)


def test_items_without_guid_or_link_get_stable_fallback_keys() -> None:
    body = rss(
        "<item><title>Thông báo cắt điện khu vực Đắk Hà</title><description>Từ 7h đến 11h ngày 22/11.</description>"
        "<pubDate>Sat, 21 Nov 2026 08:00:00 +0700</pubDate></item>"
        "<item><title>Thông báo cắt điện khu vực Sa Thầy</title><description>Từ 7h đến 11h ngày 22/11.</description>"
        "<pubDate>Sat, 21 Nov 2026 08:00:00 +0700</pubDate></item>"
        "<item><description>Tin chỉ có mô tả, không tiêu đề.</description></item>"
    )
    first = parse_feed(body, {}, BASE)
    again = parse_feed(body, {"Content-Type": "text/xml; charset=utf-8"}, BASE)
    keys = [i.key for i in first.items]
    assert len(set(keys)) == 2  # the item with neither link nor title is not an article (issue 8)
    assert any("no usable link and no title" in w for w in first.warnings)
    assert all(k.startswith("sha256:") for k in keys)
    assert keys == [i.key for i in again.items]
    # The same item with different layout whitespace keeps its key.
    reflowed = parse_feed(body.replace(b"<title>", b"<title>\n   "), {}, BASE)
    assert keys == [i.key for i in reflowed.items]


def test_duplicate_guids_keep_the_first_item() -> None:
    body = rss(
        "<item><title>Bản đầu</title><guid>bai-7</guid></item>"
        "<item><title>Bản sau</title><guid>bai-7</guid></item>"
    )
    feed = parse_feed(body, {}, BASE)
    assert [i.title for i in feed.items] == ["Bản đầu"]
    assert any("duplicate" in w for w in feed.warnings)


def test_item_cap() -> None:
    items = "".join(f"<item><title>Tin số {n}</title><guid>bai-{n}</guid></item>" for n in range(30))
    feed = parse_feed(rss(items), {}, BASE, max_items=10)
    assert [i.key for i in feed.items] == [f"bai-{n}" for n in range(10)]
    assert any("30 items" in w for w in feed.warnings)
    assert len(parse_feed(rss(items), {}, BASE).items) == 30


def test_url_length_cap() -> None:
    long_link = "https://baomau.example.vn/" + "tin-dai-" * 300 + "1.html"  # ~2.4 KB
    short_link = "https://baomau.example.vn/tin-ngan-204600.html"
    body = rss(
        f"<item><title>Dài</title><link>{long_link}</link></item>"
        f"<item><title>Ngắn</title><link>{short_link}</link></item>"
    )
    long_item, short_item = parse_feed(body, {}, BASE).items
    assert long_item.url is None and short_item.url == short_link
    assert parse_feed(body, {}, BASE, max_url_len=40).items[1].url is None


def test_long_guid_is_hashed_into_a_bounded_key() -> None:
    body = rss(f'<item><title>Tin</title><guid isPermaLink="false">{"x" * 5000}</guid></item>')
    (item,) = parse_feed(body, {}, BASE).items
    assert item.key.startswith("sha256:") and len(item.key) < 100


def test_dates_are_utc_aware() -> None:
    body = rss(
        "<item><title>Tin</title><guid>bai-1</guid><pubDate>Fri, 20 Nov 2026 08:15:00 +0700</pubDate></item>"
        "<item><title>Tin 2</title><guid>bai-2</guid><pubDate>không phải ngày</pubDate></item>"
    )
    dated, undated = parse_feed(body, {}, BASE).items
    assert dated.published_at == datetime(2026, 11, 20, 1, 15, tzinfo=UTC)
    assert undated.published_at is None


def test_feedparser_never_opens_a_path_or_url() -> None:
    # feedparser.parse(bytes) would try open() on a short body; ours must treat it as content.
    with pytest.raises(NotAFeedError):
        parse_feed(str(FIXTURES / "rss20_kontum.xml").encode(), {}, BASE)
    with pytest.raises(NotAFeedError):
        parse_feed(b"https://baomau.example.vn/rss/phap-luat.rss", {}, BASE)


def test_non_url_guid_is_a_key_not_a_link() -> None:
    # RSS guids default to isPermaLink="true"; "bai-9" must not become https://…/rss/bai-9.
    (item,) = parse_feed(rss("<item><title>Tin</title><guid>bai-9</guid></item>"), {}, BASE).items
    assert (item.key, item.url) == ("bai-9", None)


@pytest.mark.parametrize(
    "prefix",
    [
        b"\n\n   ",
        b"<br />\n<b>Warning</b>:  Cannot modify header information in <b>/var/www/rss.php</b><br />\n",
    ],
    ids=["blank-lines", "php-warning"],
)
def test_text_before_the_xml_declaration_is_dropped(prefix: bytes) -> None:
    feed = parse_feed(prefix + (FIXTURES / "rss20_kontum.xml").read_bytes(), {}, BASE)
    assert not feed.bozo  # the fast strict parser did the work
    assert len(feed.items) == 3


def test_html_page_with_inline_xml_is_still_an_html_page() -> None:
    body = b'<!DOCTYPE html><html><body><p>Bieu do</p><?xml version="1.0"?><svg></svg></body></html>'
    with pytest.raises(NotAFeedError, match="trang HTML"):
        parse_feed(body, {}, BASE)
