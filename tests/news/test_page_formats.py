"""Page text as staff paste it from the papers and portals (issue #16): one page per
common form, table-driven.

Every page is test input written for this test in the shape of its outlet's pages
(meta line, toolbars, byline placement); titles start with 测试样稿, names are invented
and the text says it is invented. Each row says what the importer must read: source,
time, credits, the body's paragraphs (and nothing else), and the lines it could not
place, reported with their line numbers rather than kept in the body.
"""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase

from news.parsing import parse_page_text

SHANGHAI = ZoneInfo("Asia/Shanghai")
P1 = "本段为虚构的测试文字，"
P2 = "第二段测试文字，内容为虚构。"
# Words of page furniture: none may reach the body.
CHROME = (
    "打印本页",
    "关闭窗口",
    "分享到",
    "扫一扫",
    "纠错",
    "相关推荐",
    "字号",
    "责任编辑",
    "来源",
)


@dataclass
class Form:
    outlet: str
    text: str
    source: str
    published_at: tuple[int, ...]
    credits: list[tuple[str, str, str]]  # (role, name, prefix)
    first_paragraph: str
    unplaced: list[tuple[int, str]] = field(default_factory=list)


FORMS = [
    Form(
        "烟台日报/YMG: time before 来源, toolbar in 【】, byline line above the body, "
        "责任编辑 at the end",
        "测试样稿：某区召开质量工作推进会\n"
        "2024-03-05 08:30  来源：烟台日报\n"
        "【字号 大 中 小】【打印本页】【关闭窗口】\n\n"
        "YMG全媒体记者 张测试 通讯员 李样稿\n\n"
        "本报讯 3月4日，某区召开测试用质量工作推进会。本段为虚构的测试文字。\n\n"
        f"{P2}\n\n"
        "责任编辑：王晓\n",
        "烟台日报",
        (2024, 3, 5, 8, 30),
        [
            ("记者", "张测试", "YMG全媒体"),
            ("通讯员", "李样稿", ""),
            ("责任编辑", "王晓", ""),
        ],
        "本报讯 3月4日，某区召开测试用质量工作推进会。本段为虚构的测试文字。",
    ),
    Form(
        "胶东在线: labelled meta line, 分享到 above, （记者 … 通讯员 …） in the lead, "
        "【纠错】 beside 责任编辑, 相关推荐 after",
        "测试样稿：某区开展计量检定服务\n"
        "来源：胶东在线    作者：刘测试    发布时间：2024-04-10 09:15:22\n"
        "分享到：\n"
        "胶东在线4月10日讯（胶东在线记者 刘测试 通讯员 赵样稿）"
        "本段为虚构的测试文字，某区开展计量检定服务。\n"
        f"{P2}\n"
        "【纠错】 责任编辑：孙悦\n"
        "相关推荐\n"
        "某条推荐的测试标题\n",
        "胶东在线",
        (2024, 4, 10, 9, 15, 22),
        [
            ("作者", "刘测试", ""),
            ("记者", "刘测试", "胶东在线"),
            ("通讯员", "赵样稿", ""),
            ("责任编辑", "孙悦", ""),
        ],
        "胶东在线4月10日讯（胶东在线记者 刘测试 通讯员 赵样稿）"
        "本段为虚构的测试文字，某区开展计量检定服务。",
    ),
    Form(
        "水母网: time, 来源, 作者 and 编辑 on one line, 字号 buttons, ◎ byline, "
        "扫一扫 after",
        "测试样稿：某所开展食品抽检\n"
        "2024-05-06 10:21:09 来源：水母网 作者：周测试 编辑：吴桐\n"
        "字号：T|T\n"
        "◎ 水母网记者 周测试\n"
        f"{P1}某所开展食品抽检。\n"
        f"{P2}\n"
        "扫一扫 在手机打开当前页\n",
        "水母网",
        (2024, 5, 6, 10, 21, 9),
        [("作者", "周测试", ""), ("编辑", "吴桐", ""), ("记者", "周测试", "水母网")],
        f"{P1}某所开展食品抽检。",
    ),
    Form(
        "大众日报: 来源 before a Chinese date, □ 本报记者 byline, 打印本页 关闭窗口 after",
        "测试样稿：某省标准化工作会议召开\n"
        "来源：大众日报 | 2024年06月03日 07:58\n"
        "□ 本报记者 陈测试 钱样稿\n"
        f"{P1}某省召开标准化工作会议。\n"
        f"{P2}\n"
        "打印本页 关闭窗口\n",
        "大众日报",
        (2024, 6, 3, 7, 58),
        [("记者", "陈测试", "本报"), ("记者", "钱样稿", "本报")],
        f"{P1}某省召开标准化工作会议。",
    ),
    Form(
        "齐鲁晚报: half-width colon, 记者 … 报道 at the end, 编辑 line",
        "测试样稿：某市开展食品安全检查\n"
        "2024-06-20 15:33:48 来源: 齐鲁晚报·齐鲁壹点\n"
        f"{P1}某市开展食品安全检查。\n"
        f"{P2}\n"
        "记者 孔测试 通讯员 蒋样稿 报道\n"
        "编辑：沈洁\n",
        "齐鲁晚报·齐鲁壹点",
        (2024, 6, 20, 15, 33, 48),
        [("记者", "孔测试", ""), ("通讯员", "蒋样稿", ""), ("编辑", "沈洁", "")],
        f"{P1}某市开展食品安全检查。",
    ),
    Form(
        "山东商报: unlabelled source after the time, 记者 … 报道 at the start, "
        "a 原标题 line no rule places",
        "测试样稿：某地举办质量月活动\n"
        "2024-09-10 11:02 山东商报·速豹新闻网\n"
        "记者 邱测试 报道\n"
        f"{P1}某地举办质量月活动。\n"
        "原标题：某地质量月活动测试\n"
        f"{P2}\n",
        "山东商报·速豹新闻网",
        (2024, 9, 10, 11, 2),
        [("记者", "邱测试", "")],
        f"{P1}某地举办质量月活动。",
        unplaced=[(5, "原标题：某地质量月活动测试")],
    ),
    Form(
        "中国质量新闻网: wide spacing, [打印本页] [关闭窗口], 讯（记者 …） lead, "
        "（责任编辑：…） at the end",
        "测试样稿：某市推进质量强市建设\n"
        "2024-07-01 09:00:00   来源：中国质量新闻网   作者：韩测试\n"
        "[打印本页] [关闭窗口]\n"
        f"中国质量新闻网讯（记者 韩测试）{P1}某市推进质量强市建设。\n"
        f"{P2}\n"
        "（责任编辑：杨帆）\n",
        "中国质量新闻网",
        (2024, 7, 1, 9, 0),
        [("作者", "韩测试", ""), ("记者", "韩测试", ""), ("责任编辑", "杨帆", "")],
        f"中国质量新闻网讯（记者 韩测试）{P1}某市推进质量强市建设。",
    ),
    Form(
        "人民网: date and time run together, | 来源, 字号, 本报记者 line, （责编：…、…）, "
        "分享到 after",
        "测试样稿：多地推进质量提升行动\n"
        "2024年07月15日06:21 | 来源：人民网－人民日报\n"
        "字号\n"
        "本报记者 朱测试\n"
        f"{P1}多地推进质量提升行动。\n"
        f"{P2}\n"
        "（责编：秦川、许诺）\n"
        "分享到：\n",
        "人民网-人民日报",
        (2024, 7, 15, 6, 21),
        [
            ("记者", "朱测试", "本报"),
            ("责任编辑", "秦川", ""),
            ("责任编辑", "许诺", ""),
        ],
        f"{P1}多地推进质量提升行动。",
    ),
    Form(
        "人民网 local channel: 小字号 toggle, 人民网…电 then a space before （记者 …）, "
        "(责编：…) at the end, 分享让更多人看到",
        "测试样稿：某市质量强市建设取得新进展\n"
        "2024年06月10日08:30 | 来源：人民网－山东频道\n"
        "小字号\n"
        f"人民网烟台6月10日电 （记者 孔测试）{P1}某市质量强市建设取得新进展。\n"
        f"{P2}\n"
        "(责编：秦川、许诺)\n"
        "分享让更多人看到\n",
        "人民网-山东频道",
        (2024, 6, 10, 8, 30),
        [
            ("记者", "孔测试", ""),
            ("责任编辑", "秦川", ""),
            ("责任编辑", "许诺", ""),
        ],
        f"人民网烟台6月10日电 （记者 孔测试）{P1}某市质量强市建设取得新进展。",
    ),
    Form(
        "新华网: 新华社…电（记者 …） dateline, 【纠错】 【责任编辑：…】",
        "测试样稿：某会议召开\n"
        "2024-08-02 16:45:10 来源：新华网\n"
        f"新华社北京8月2日电（记者 尤测试）{P1}某会议召开。\n"
        f"{P2}\n"
        "【纠错】 【责任编辑：许诺】\n",
        "新华网",
        (2024, 8, 2, 16, 45, 10),
        [("记者", "尤测试", ""), ("责任编辑", "许诺", "")],
        f"新华社北京8月2日电（记者 尤测试）{P1}某会议召开。",
    ),
    Form(
        "Government site: 发布时间 first, 浏览次数, 【字体：大 中 小】, 文/图 and 摄影 "
        "at the end, a toolbar line inside the body",
        "测试样稿：关于开展测试检定工作的通知\n"
        "发布时间：2024-09-01  来源：某市市场监督管理局  浏览次数：123\n"
        "【字体：大 中 小】 打印本页 关闭窗口\n"
        f"{P1}关于开展测试检定工作。\n"
        "【打印本页】【关闭窗口】【相关推荐】\n"
        f"{P2}\n"
        "文/图 何测试\n"
        "摄影 吕测试\n"
        "分享到：\n",
        "某市市场监督管理局",
        (2024, 9, 1),
        [("作者", "何测试", ""), ("摄影", "吕测试", "")],
        f"{P1}关于开展测试检定工作。",
        unplaced=[(5, "【打印本页】【关闭窗口】【相关推荐】")],
    ),
]


class PageFormTests(SimpleTestCase):
    def test_each_form(self):
        for form in FORMS:
            with self.subTest(form.outlet):
                page = parse_page_text(form.text)
                self.assertTrue(page.title.startswith("测试样稿："))
                self.assertEqual(page.source, form.source)
                self.assertEqual(
                    page.published_at, datetime(*form.published_at, tzinfo=SHANGHAI)
                )
                self.assertEqual(
                    [(c.role, c.name, c.prefix) for c in page.credits], form.credits
                )
                paragraphs = [b.text for b in page.blocks]
                self.assertEqual(paragraphs, [form.first_paragraph, P2])
                for word in CHROME:
                    self.assertFalse(any(word in text for text in paragraphs[1:]), word)
                self.assertEqual(page.unplaced, form.unplaced)

    def test_the_same_meta_in_any_order_and_spacing(self):
        body = f"\n{P1}某项测试。\n{P2}\n"
        metas = (
            "来源：烟台日报 2024-03-05 08:30",
            "2024-03-05 08:30 来源：烟台日报",
            "来源:烟台日报　　发布时间:2024-03-05 08:30",
            "发布时间：2024-03-05 08:30　|　来源：烟台日报　|　【字号：大 中 小】",
            "烟台日报　2024年3月5日 08:30",
        )
        for meta in metas:
            with self.subTest(meta):
                page = parse_page_text(f"测试样稿：某项测试\n{meta}\n{body}")
                self.assertEqual(page.source, "烟台日报")
                self.assertEqual(
                    page.published_at, datetime(2024, 3, 5, 8, 30, tzinfo=SHANGHAI)
                )
                self.assertEqual(len(page.blocks), 2)
