"""Tests of quality.extraction: figures found in Chinese news sentences.

Each case is a sentence we wrote and the exact figures expected from it as
(value, comparator, lower, upper, unit, subject, period_start, period_end). No
database is needed: these are plain ``unittest`` test cases.
"""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple
from unittest import TestCase

from quality.extraction import Figure, extract_figures

PUB = date(2021, 1, 7)  # the seed article's publication date
SEED = Path("/work/shared/seeds/000_b5b21bbd38acca12.txt")
H1_2020 = (date(2020, 1, 1), date(2020, 6, 30))
YEAR_2019 = (date(2019, 1, 1), date(2019, 12, 31))
YEAR_2020 = (date(2020, 1, 1), date(2020, 12, 31))


def fig(
    value: str,
    unit: str,
    subject: str,
    comparator: str = "=",
    lower: str | None = None,
    upper: str | None = None,
    period: tuple[date | None, date] = (None, PUB),
) -> tuple:
    """The expected figure as a comparable tuple; the default period is ``PUB``."""
    return (
        Decimal(value),
        comparator,
        None if lower is None else Decimal(lower),
        None if upper is None else Decimal(upper),
        unit,
        subject,
        *period,
    )


def as_tuple(f: Figure) -> tuple:
    return (
        f.value,
        f.comparator,
        f.lower,
        f.upper,
        f.unit,
        f.subject,
        f.period_start,
        f.period_end,
    )


class Case(NamedTuple):
    text: str
    expected: list[tuple]
    published_on: date = PUB


CASES = {
    # --- Numeral forms -------------------------------------------------------------
    "arabic": Case("烟台市共参与制修订604项国家标准。", [fig("604", "项", "国家标准")]),
    "arabic with thousands separator": Case(
        "全市共有规上工业企业1,700家。", [fig("1700", "家", "规上工业企业")]
    ),
    "arabic decimal percentage": Case(
        "全市抽检合格率为98.5%。", [fig("98.5", "%", "抽检合格率")]
    ),
    "full-width digits and percent sign": Case(
        "全市食品抽检合格率达９７％。", [fig("97", "%", "食品抽检合格率")]
    ),
    "chinese numeral": Case(
        "烟台市市级社会公用计量标准总数已经达到二百四十二项。",
        [fig("242", "项", "社会公用计量标准")],
    ),
    "chinese numeral with 千": Case(
        "全年完成抽检一千七百批次。", [fig("1700", "批次", "抽检")]
    ),
    "两 as a count": Case(
        "全市已建成两家国家级实验室。", [fig("2", "家", "国家级实验室")]
    ),
    "十 standing alone": Case(
        "全市共培育十二家质量标杆企业。", [fig("12", "家", "质量标杆企业")]
    ),
    "arabic decimal with 万": Case(
        "全市新增市场主体1.2万户。", [fig("12000", "户", "市场主体")]
    ),
    "mixed 万 and 千": Case("全市就业人口1万2千人。", [fig("12000", "人", "就业人口")]),
    "亿元 stays the unit": Case(
        "全市质量奖励资金达到3.5亿元。", [fig("3.5", "亿元", "质量奖励资金")]
    ),
    "chinese decimal with 亿元": Case(
        "全市奖补资金达三点五亿元。", [fig("3.5", "亿元", "奖补资金")]
    ),
    "百分之 in chinese": Case(
        "全市食品抽检合格率达百分之九十七。", [fig("97", "%", "食品抽检合格率")]
    ),
    "百分之百": Case("全市企业百分之百完成整改。", [fig("100", "%", "企业")]),
    # --- Hedges --------------------------------------------------------------------
    "余 after a chinese numeral": Case(
        "参与制修订六百余项国家标准",
        [fig("600", "项", "国家标准", ">", "600", "700")],
    ),
    "余 after an arabic numeral": Case(
        "全市共有规上工业企业1700余家。",
        [fig("1700", "家", "规上工业企业", ">", "1700", "1800")],
    ),
    "50余": Case(
        "全市共有50余家企业获评。",
        [fig("50", "家", "企业获评", ">", "50", "60")],
    ),
    "多 after 一千": Case(
        "本次培训参训人员一千多人。",
        [fig("1000", "人", "本次培训参训人员", ">", "1000", "2000")],
    ),
    "百余 with an implied 一": Case(
        "全市有百余家企业参加培训。",
        [fig("100", "家", "企业", ">", "100", "200")],
    ),
    "万余 scales the bounds": Case(
        "发放宣传资料3万余份。",
        [fig("30000", "份", "宣传资料", ">", "30000", "40000")],
    ),
    "两万余": Case(
        "全市参加培训人数两万余人。",
        [fig("20000", "人", "参加培训人数", ">", "20000", "30000")],
    ),
    "余万元 keeps 万元": Case(
        "全市罚没款300余万元。",
        [fig("300", "万元", "罚没款", ">", "300", "400")],
    ),
    "超 before a percentage": Case(
        "工业产品质量合格率超97%",
        [fig("97", "%", "工业产品质量合格率", ">", "97")],
    ),
    "超过": Case("超过1200家企业参加。", [fig("1200", "家", "企业", ">", "1200")]),
    "逾": Case(
        "全市逾3000名企业负责人参加培训。",
        [fig("3000", "名", "企业负责人", ">", "3000")],
    ),
    "以上": Case(
        "工业产品质量合格率始终保持在97%以上。",
        [fig("97", "%", "工业产品质量合格率", ">=", "97")],
    ),
    "不低于": Case(
        "全市重点企业抽检合格率不低于95%。",
        [fig("95", "%", "重点企业抽检合格率", ">=", "95")],
    ),
    "至少": Case("全市抽检合格率至少95%。", [fig("95", "%", "抽检合格率", ">=", "95")]),
    "上千": Case("全市规上企业上千家。", [fig("1000", "家", "规上企业", ">=", "1000")]),
    "约": Case("全市共有检验员约300人。", [fig("300", "人", "检验员", "~")]),
    "近 before a bare 千": Case(
        "全市规上企业近千家。", [fig("1000", "家", "规上企业", "~")]
    ),
    "左右": Case("全市共有检验员300人左右。", [fig("300", "人", "检验员", "~")]),
    "十来": Case("全市有十来家企业参加培训。", [fig("10", "家", "企业", "~")]),
    "不足": Case(
        "全年抽检不足500批次。", [fig("500", "批次", "抽检", "<", None, "500")]
    ),
    "不到": Case(
        "全年抽检不到500批次。", [fig("500", "批次", "抽检", "<", None, "500")]
    ),
    "以下": Case(
        "全市小微企业不良率控制在3%以下。",
        [fig("3", "%", "小微企业不良率", "<=", None, "3")],
    ),
    "以内": Case(
        "每批次抽样费用控制在500元以内。",
        [fig("500", "元", "每批次抽样费用", "<=", None, "500")],
    ),
    "不超过": Case(
        "全年抽检不超过500批次。",
        [fig("500", "批次", "抽检", "<=", None, "500")],
    ),
    "range with 至": Case(
        "新建标准化试点项目3至5个。",
        [fig("4", "个", "标准化试点项目", "~", "3", "5")],
    ),
    "range of percentages": Case(
        "合格率在90%-95%之间。", [fig("92.5", "%", "合格率", "~", "90", "95")]
    ),
    "range whose 万 belongs to both ends": Case(
        "全市参与人数达1-3万人。",
        [fig("20000", "人", "人数", "~", "10000", "30000")],
    ),
    "range of 万元 keeps the unit": Case(
        "每家企业投资3至5万元。",
        [fig("4", "万元", "每家企业投资", "~", "3", "5")],
    ),
    # --- Units ---------------------------------------------------------------------
    "批 and 批次 are different units": Case(
        "抽检食品200批，其中不合格3批。",
        [fig("200", "批", "抽检食品"), fig("3", "批", "不合格")],
    ),
    "名": Case("全市共有执法人员120名。", [fig("120", "名", "执法人员")]),
    "人次": Case("全年培训2000人次。", [fig("2000", "人次", "培训")]),
    "件 with 去年": Case(
        "去年全市新增驰名商标3件。",
        [fig("3", "件", "驰名商标", period=YEAR_2020)],
    ),
    "次": Case("全市开展专项检查15次。", [fig("15", "次", "专项检查")]),
    "吨": Case("全年查扣不合格化肥12吨。", [fig("12", "吨", "查扣不合格化肥")]),
    "座": Case("全市建成计量检定站5座。", [fig("5", "座", "计量检定站")]),
    "所": Case("全市新建检测实验室2所。", [fig("2", "所", "检测实验室")]),
    "户": Case("全市新增个体工商户1200户。", [fig("1200", "户", "个体工商户")]),
    "条": Case("全市新建生产线3条。", [fig("3", "条", "生产线")]),
    "个 before 部门": Case("全市12个部门联合开展检查。", [fig("12", "个", "部门")]),
    "万台 and a change": Case(
        "全市电梯总量达到3.2万台，同比增长8.5%。",
        [fig("32000", "台", "电梯"), fig("8.5", "%", "电梯同比增长")],
    ),
    "个百分点": Case(
        "全市工业产品质量合格率同比提高2.5个百分点。",
        [fig("2.5", "百分点", "工业产品质量合格率同比提高")],
    ),
    "成 as tenths, with a hedge": Case("占比近七成。", [fig("70", "%", "占比", "~")]),
    "成 after a change": Case(
        "案件数量较上年增长两成。", [fig("20", "%", "案件数量较上年增长")]
    ),
    "a bracketed aside after the unit": Case(
        "拥有检测设备400多台（套）。",
        [fig("400", "台", "检测设备", ">", "400", "500")],
    ),
    "a rate per thousand people": Case(
        "抽检量达到6.4批次/千人。", [fig("6.4", "批次/千人", "抽检量")]
    ),
    "件次 with 万": Case(
        "全市共完成核查处置任务1.2万件次。",
        [fig("12000", "件次", "核查处置任务")],
    ),
    "台件 with 万余": Case(
        "完成民生计量器具强制检定8.6万余台件。",
        [fig("86000", "台件", "民生计量器具强制检定", ">", "86000", "87000")],
    ),
    # --- Lists ---------------------------------------------------------------------
    "three items sharing a verb": Case(
        "共参与制修订604项国家标准、650项行业标准和350项省地方标准",
        [
            fig("604", "项", "国家标准"),
            fig("650", "项", "行业标准"),
            fig("350", "项", "省地方标准"),
        ],
    ),
    "levels sharing a head noun": Case(
        "目前已建成3个国家级、5个省级质检中心。",
        [fig("3", "个", "国家级质检中心"), fig("5", "个", "省级质检中心")],
    ),
    "levels sharing a long head noun": Case(
        "创建6个国家级、75个省级服务标准化试点项目。",
        [
            fig("6", "个", "国家级服务标准化试点项目"),
            fig("75", "个", "省级服务标准化试点项目"),
        ],
    ),
    "subject before the number, across 、": Case(
        "成品油、农资、服装等商品抽检878批次。",
        [fig("878", "批次", "成品油、农资、服装等商品抽检")],
    ),
    "a count inside the subject of another": Case(
        "中药饮片等5个专项抽样307批次。",
        [
            fig("5", "个", "中药饮片等专项抽样"),
            fig("307", "批次", "中药饮片等5个专项抽样"),
        ],
    ),
    "two clauses sharing a verb": Case(
        "培育山东名牌产品181个，全国质量标杆3个。",
        [fig("181", "个", "山东名牌产品"), fig("3", "个", "全国质量标杆")],
    ),
    "items with their own subjects": Case(
        "全年完成食品抽检1700批次、药品抽检300批次。",
        [fig("1700", "批次", "食品抽检"), fig("300", "批次", "药品抽检")],
    ),
    "分别 pairs items and numbers": Case(
        "国家级、省级质检中心分别为3个、5个。",
        [fig("3", "个", "国家级质检中心"), fig("5", "个", "省级质检中心")],
    ),
    "分别 with one unit for all numbers": Case(
        "全市国家标准、行业标准和地方标准分别达到604、650和350项。",
        [
            fig("604", "项", "国家标准"),
            fig("650", "项", "行业标准"),
            fig("350", "项", "地方标准"),
        ],
    ),
    "分别 with a shared rate": Case(
        "食品和药品抽检合格率分别为98%和97%。",
        [fig("98", "%", "食品抽检合格率"), fig("97", "%", "药品抽检合格率")],
    ),
    "a later clause leaves out the subject": Case(
        "全市共有企业3000家，2019年新增200家。",
        [fig("3000", "家", "企业"), fig("200", "家", "企业", period=YEAR_2019)],
    ),
    "heading with a predicate after the subject": Case(
        "3个国家级质检中心落户烟台", [fig("3", "个", "国家级质检中心")]
    ),
    "a status verb stays in the subject": Case(
        "全市3家企业获评全国质量标杆。",
        [fig("3", "家", "企业获评全国质量标杆")],
    ),
    "分别 refers back to the figures before it": Case(
        "商品类投诉3120件，服务类投诉2312件，分别占57.4%和42.6%。",
        [
            fig("3120", "件", "商品类投诉"),
            fig("2312", "件", "服务类投诉"),
            fig("57.4", "%", "商品类投诉占比"),
            fig("42.6", "%", "服务类投诉占比"),
        ],
    ),
    "the actor and its verb are not the subject": Case(
        "检查中，执法人员共发现问题农资32批次。", [fig("32", "批次", "问题农资")]
    ),
    "quotes inside a subject": Case(
        "牟平区现有“三品一标”农产品认证数量达到87个。",
        [fig("87", "个", "三品一标农产品认证")],
    ),
    "等N大类 with 分别 pairs an enumeration": Case(
        "从品种看，粮食加工品，食用油、油脂及其制品，肉制品等3大类食品的不合格率"
        "分别为0.35%、0.62%、0.71%。",
        [
            fig("3", "大类", "肉制品等食品"),
            fig("0.35", "%", "粮食加工品不合格率"),
            fig("0.62", "%", "食用油、油脂及其制品不合格率"),
            fig("0.71", "%", "肉制品不合格率"),
        ],
    ),
    "a baseline figure and the change from it": Case(
        "2021年全市共完成食品安全抽检18562批次，比2020年的13410批次增加5152批次。",
        [
            fig(
                "18562",
                "批次",
                "食品安全抽检",
                period=(date(2021, 1, 1), date(2021, 12, 31)),
            ),
            fig("13410", "批次", "食品安全抽检", period=YEAR_2020),
            fig(
                "5152",
                "批次",
                "食品安全抽检增加",
                period=(date(2021, 1, 1), date(2021, 12, 31)),
            ),
        ],
    ),
    "a ratio takes the subject before it": Case(
        "全市“山东标准”建设项目总数达到33个，是2017年的5.5倍。",
        [
            fig("33", "个", "山东标准建设项目"),
            fig("5.5", "倍", "山东标准建设项目"),
        ],
    ),
    # --- Periods -------------------------------------------------------------------
    "截至目前 is the publication date": Case(
        "截至目前，烟台市市级社会公用计量标准总数已经达到242项。",
        [fig("242", "项", "社会公用计量标准")],
    ),
    "截至 a year end": Case(
        "截至2017年底，全市共有国家标准200项。",
        [fig("200", "项", "国家标准", period=(None, date(2017, 12, 31)))],
    ),
    "截至 a month end": Case(
        "截至2020年6月底，全市共有山东名牌产品150个。",
        [fig("150", "个", "山东名牌产品", period=(None, date(2020, 6, 30)))],
    ),
    "截至去年底": Case(
        "截至去年底，全市共有驰名商标45件。",
        [fig("45", "件", "驰名商标", period=(None, date(2020, 12, 31)))],
    ),
    "a year": Case(
        "2019年全市完成食品抽检2000批次。",
        [fig("2000", "批次", "食品抽检", period=YEAR_2019)],
    ),
    "a year with 年度": Case(
        "2019年度全市完成抽检1500批次。",
        [fig("1500", "批次", "抽检", period=YEAR_2019)],
    ),
    "去年上半年": Case(
        "去年上半年又完成食品抽检1700批次。",
        [fig("1700", "批次", "食品抽检", period=H1_2020)],
    ),
    "今年一季度": Case(
        "今年一季度，全市完成抽检800批次。",
        [fig("800", "批次", "抽检", period=(date(2021, 1, 1), date(2021, 3, 31)))],
    ),
    "上半年 without a year, published in July": Case(
        "上半年全市完成抽检900批次。",
        [fig("900", "批次", "抽检", period=(date(2021, 1, 1), date(2021, 6, 30)))],
        date(2021, 7, 15),
    ),
    "下半年 not yet begun means last year's": Case(
        "下半年全市完成抽检900批次。",
        [fig("900", "批次", "抽检", period=(date(2020, 7, 1), date(2020, 12, 31)))],
    ),
    "months 1-6": Case(
        "2020年1-6月，全市完成抽检1000批次。",
        [fig("1000", "批次", "抽检", period=H1_2020)],
    ),
    "a month of last year": Case(
        "去年12月，全市新增市场主体3000户。",
        [fig("3000", "户", "市场主体", period=(date(2020, 12, 1), date(2020, 12, 31)))],
    ),
    "今年以来": Case(
        "今年以来，全市共查处案件56起。",
        [fig("56", "起", "查处案件", period=(date(2021, 1, 1), PUB))],
    ),
    "a year 以来": Case(
        "2019年以来，全市新增国家标准50项。",
        [fig("50", "项", "国家标准", period=(date(2019, 1, 1), PUB))],
    ),
    "十三五 期间": Case(
        "“十三五”期间，全市累计制修订标准120项。",
        [fig("120", "项", "标准", period=(date(2016, 1, 1), date(2020, 12, 31)))],
    ),
    "近三年来": Case(
        "近三年来，全市累计培育名牌产品60个。",
        [fig("60", "个", "名牌产品", period=(date(2018, 1, 7), PUB))],
    ),
    "a day without a year": Case(
        "12月29日，烟台召开质量大会，共有500人参会。",
        [fig("500", "人", "参会", period=(None, date(2020, 12, 29)))],
    ),
    "a period stays in its sentence": Case(
        "去年全市新增驰名商标3件。目前全市共有驰名商标45件。",
        [
            fig("3", "件", "驰名商标", period=YEAR_2020),
            fig("45", "件", "驰名商标"),
        ],
    ),
    "a period applies to what follows it": Case(
        "工业产品质量合格率保持在97%以上，去年上半年完成食品抽检1700批次。",
        [
            fig("97", "%", "工业产品质量合格率", ">=", "97"),
            fig("1700", "批次", "食品抽检", period=H1_2020),
        ],
    ),
    "比去年同期 is a baseline, not the period": Case(
        "合格率达98.6%，比去年同期提高0.8个百分点。",
        [fig("98.6", "%", "合格率"), fig("0.8", "百分点", "合格率比去年同期提高")],
    ),
    "自 a year 以来 with words between": Case(
        "市长质量奖自2012年设立以来，共有28家企业获此殊荣。",
        [fig("28", "家", "企业", period=(date(2012, 1, 1), PUB))],
    ),
    "连续N年 in the middle of the subject": Case(
        "出口商品检验合格率连续5年保持在99.5%以上。",
        [
            fig(
                "99.5",
                "%",
                "出口商品检验合格率",
                ">=",
                "99.5",
                period=(date(2016, 1, 7), PUB),
            )
        ],
    ),
    "a future year end": Case(
        "全区将在2021年底前完成30台老旧电梯更新改造。",
        [fig("30", "台", "老旧电梯更新改造", period=(None, date(2021, 12, 31)))],
    ),
    "an impossible date is no period": Case(
        "2月30日，全市抽检300批次。", [fig("300", "批次", "抽检")]
    ),
    "与去年同期相比 is a baseline, not the period": Case(
        "与去年同期相比，不合格率下降2.3个百分点。",
        [fig("2.3", "百分点", "不合格率下降")],
    ),
    # --- Not figures ---------------------------------------------------------------
    "date and time of a byline": Case("烟台日报 2021-01-07 10:36 大字", []),
    "date with 上午": Case("2020年12月29日上午，烟台业达综合金融服务平台上线。", []),
    "a day in a dateline": Case(
        "本报讯（记者 王伟）1月6日，烟台召开全市质量大会。", []
    ),
    "a year standing alone": Case("会议指出，2020年是“十三五”收官之年。", []),
    "a year with 年度, alone": Case("2017年度质量工作考核结果公布。", []),
    "rank 第二": Case("烟台位列全省第二。", []),
    "rank 第1名": Case("该企业获得第1名。", []),
    "rank 前3名": Case("全市工业增加值位居全省前3名。", []),
    "article number": Case("第三条 本办法自2021年1月1日起施行。", []),
    "phone numbers": Case("咨询电话0535-6666666，手机13800000000。", []),
    "hotline": Case("服务热线：0535-12345678。", []),
    "standard code": Case("依据GB/T 19001-2016标准开展认证。", []),
    "local standard code": Case("DB37/T 1234地方标准已发布。", []),
    "credit code and postcode": Case(
        "统一社会信用代码91370600MA3C00000X，邮编264000。", []
    ),
    "a number inside a title": Case(
        "根据《关于实施100项标准化工程的意见》，全市已完成任务。", []
    ),
    "两年多来 is a period": Case("两年多来，烟台市质量共治机制不断完善。", []),
    "近两年来 is a period": Case("近两年来，烟台市持续加强质量基础建设。", []),
    "一批 means 'a number of'": Case("培育了一批具有世界眼光的先进标准。", []),
    "一大批": Case("涌现出一大批驰名中外的名牌产品。", []),
    "百城千业万企 is a name": Case(
        "成为全国首批“百城千业万企对标达标提升专项行动”试点城市。", []
    ),
    "a duration": Case("全市共有3个月的过渡期。", []),
    "a number without unit": Case("全市企业数量达到1700。", []),
    "目前 before 3名 is no rank": Case("目前3名专家在岗。", [fig("3", "名", "专家")]),
    "a phone number after 手机": Case("联系手机：13912345678。", []),
    "a fraction is not supported": Case("烟台葡萄酒产量占全国的三分之一。", []),
    "a code next to a figure": Case(
        "全市5G基站1200个。", [fig("1200", "个", "5G基站")]
    ),
}


class ExtractFiguresTests(TestCase):
    def test_table(self):
        """Every sentence of the table gives exactly the expected figures."""
        self.assertGreaterEqual(len(CASES), 60)
        for name, case in CASES.items():
            with self.subTest(name, text=case.text):
                found = extract_figures(case.text, case.published_on)
                self.assertEqual([as_tuple(f) for f in found], case.expected)

    def test_quote_and_offsets_point_into_the_text(self):
        """The quote is the figure's clause and start/end span number to unit."""
        text = (
            "截至目前，烟台市共参与制修订604项国家标准、650项行业标准和"
            "350项省地方标准。"
        )
        found = extract_figures(text, PUB)
        self.assertEqual(
            [f.quote for f in found],
            ["烟台市共参与制修订604项国家标准", "650项行业标准", "350项省地方标准"],
        )
        self.assertEqual(
            [text[f.start : f.end] for f in found], ["604项", "650项", "350项"]
        )

    def test_offsets_include_hedges_after_the_unit(self):
        """end lies past a trailing hedge; start is the number, after 超/约."""
        text = "合格率保持在97%以上，约300人参加，工业产品质量合格率超97%"
        found = extract_figures(text, PUB)
        self.assertEqual(
            [text[f.start : f.end] for f in found], ["97%以上", "300人", "97%"]
        )

    def test_full_width_input_keeps_offsets(self):
        """Full-width digits are read, and offsets still index the original text."""
        text = "全市抽检合格率达９７．５％。"
        (figure,) = extract_figures(text, PUB)
        self.assertEqual(figure.value, Decimal("97.5"))
        self.assertEqual(text[figure.start : figure.end], "９７．５％")
        self.assertEqual(figure.quote, "全市抽检合格率达９７．５％")

    def test_as_dict_is_json_ready(self):
        """as_dict gives numbers as JSON numbers and dates as ISO strings."""
        (figure,) = extract_figures("去年上半年又完成食品抽检1700余批次。", PUB)
        data = figure.as_dict()
        self.assertEqual(
            data,
            {
                "quote": "去年上半年又完成食品抽检1700余批次",
                "value": 1700,
                "comparator": ">",
                "lower": 1700,
                "upper": 1800,
                "unit": "批次",
                "subject": "食品抽检",
                "period_start": "2020-01-01",
                "period_end": "2020-06-30",
            },
        )
        self.assertEqual(json.loads(json.dumps(data)), data)
        (rate,) = extract_figures("合格率为98.5%", PUB)
        self.assertEqual(rate.as_dict()["value"], 98.5)
        self.assertIsNone(rate.as_dict()["period_start"])

    def test_empty_text(self):
        """No text, no figures."""
        self.assertEqual(extract_figures("", PUB), [])


class SeedArticleTests(TestCase):
    """The seed article (published 2021-01-07) is the model of our content."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.text = SEED.read_text(encoding="utf-8")
        cls.figures = extract_figures(cls.text, PUB)

    def test_finds_the_figures_of_the_seed(self):
        """Every figure the issue lists is found with its unit, subject and period."""
        found = {
            (f.value, f.unit, f.subject, f.period_start, f.period_end)
            for f in self.figures
        }
        start, end = H1_2020
        expected = [
            (604, "项", "国家标准", None, PUB),
            (650, "项", "行业标准", None, PUB),
            (350, "项", "省地方标准", None, PUB),
            (181, "个", "山东名牌产品", None, PUB),
            (3, "个", "全国质量标杆", None, PUB),
            (242, "项", "社会公用计量标准", None, PUB),
            (3, "个", "国家级质检中心", None, PUB),
            (5, "个", "省级质检中心", None, PUB),
            (79, "个", "山东省服务名牌", None, PUB),
            (6, "个", "国家级服务标准化试点项目", None, PUB),
            (75, "个", "省级服务标准化试点项目", None, PUB),
            (1, "家", "全国旅游服务质量标杆培育试点单位", None, PUB),
            (1700, "批次", "食品抽检", start, end),
            (878, "批次", "成品油、农资、服装等商品抽检", start, end),
            (5, "个", "中药饮片等专项抽样", start, end),
            (307, "批次", "中药饮片等5个专项抽样", start, end),
            (181, "批次", "保健品和化妆品抽样", start, end),
        ]
        for item in expected:
            with self.subTest(item=item):
                self.assertIn((Decimal(item[0]), *item[1:]), found)

    def test_quality_rate_is_at_least_97(self):
        """工业产品质量合格率始终保持在97%以上 is ">=" 97 over the last two years."""
        rates = [f for f in self.figures if f.subject == "工业产品质量合格率"]
        self.assertEqual(
            [(f.value, f.comparator, f.lower, f.upper, f.period_start) for f in rates],
            [
                (97, ">", 97, None, None),  # the heading "…合格率超97%"
                (97, ">=", 97, None, date(2019, 1, 7)),  # 近两年来
            ],
        )

    def test_title_and_heading_figures(self):
        """The title's 六百余项 and the heading's 3个国家级质检中心 are figures too."""
        title = self.figures[0]
        self.assertEqual(
            (title.value, title.comparator, title.lower, title.upper, title.subject),
            (600, ">", 600, 700, "国家标准"),
        )
        self.assertIn("3个国家级质检中心落户烟台", [f.quote for f in self.figures])

    def test_no_dates_times_or_periods_taken(self):
        """The date line, the time, 两年多来 and 近两年来 give no figures."""
        self.assertEqual(len(self.figures), 21)
        for phrase in ("2021-01-07", "10:36", "两年多来", "近两年来", "2020年12月29日"):
            at = self.text.index(phrase)
            with self.subTest(phrase=phrase):
                self.assertFalse(
                    [
                        f
                        for f in self.figures
                        if f.start < at + len(phrase) and at < f.end
                    ]
                )

    def test_quotes_are_substrings(self):
        """Every quote is a piece of the input and contains the figure's text."""
        for f in self.figures:
            with self.subTest(quote=f.quote):
                self.assertIn(f.quote, self.text)
                self.assertIn(self.text[f.start : f.end], f.quote)


# --- the scanners' first characters ------------------------------------------------

# One phrase for each alternative of the period grammar, and the look-behinds' cases.
PERIOD_PHRASES = [
    "截至目前",
    "截止到2020年底",
    "当前",
    "现在",
    "至今",
    "迄今",
    "如今",
    "2016年—2020年",
    "2019年度",
    "今年上半年",
    "去年前三季度",
    "前年",
    "本年度",
    "比去年同期",
    "高于2019年",
    "以今年为例",
    "下半年",
    "第三季度",
    "一季度",
    "1-6月份",
    "一至十一月",
    "6月29日",
    "十二月底",
    "自2012年设立以来",
    "从2015年起以来",
    "近两年来",
    "近5年",
    "连续5年",
    "三年来",
    "“十四五”期间",
    "十三五时期",
    "2019年以来",
]


def _first_items(items) -> tuple[list, bool]:
    """What a match of the parsed pattern ``items`` can begin with (literals and
    class items, as sre's parser gives them), and whether it can match nothing."""
    from re import _constants as c

    out: list = []
    for op, av in items:
        if op in (c.ASSERT, c.ASSERT_NOT, c.AT):
            continue  # zero width
        if op is c.LITERAL:
            return [*out, (c.LITERAL, av)], False
        if op is c.IN:
            return [*out, *av], False
        if op is c.SUBPATTERN:
            found, empty = _first_items(av[-1].data)
        elif op is c.BRANCH:
            found, empty = [], False
            for alternative in av[1]:
                more, may = _first_items(alternative.data)
                found, empty = found + more, empty or may
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            found, empty = _first_items(av[2].data)
            empty = empty or av[0] == 0
        else:
            raise AssertionError(f"the test cannot tell what {op} begins with")
        out += found
        if not empty:
            return out, False
    return out, True


class ScannerTests(TestCase):
    """``quality.extraction._Scanner``: a pattern searched only where its ``first``
    class finds a character; the same matches as the pattern's own finditer."""

    @staticmethod
    def scanners():
        from quality import extraction

        found = [extraction._PERIOD_RE, extraction._NUMBER_RE]
        found += [r for r in extraction._NON_FIGURE_RES if hasattr(r, "first")]
        return found

    def test_first_holds_every_character_a_match_can_begin_with(self):
        """Read from the pattern itself (sre's parser): a character missing from
        ``first`` would make the scanner skip matches."""
        from re import _constants as c
        from re import _parser

        digits = [ch for ch in map(chr, range(0x110000)) if ch.isdecimal()]
        scanners = self.scanners()
        self.assertGreaterEqual(len(scanners), 4)
        for scanner in scanners:
            with self.subTest(scanner.pattern.pattern[:40]):
                parsed = _parser.parse(scanner.pattern.pattern, scanner.pattern.flags)
                items, empty = _first_items(parsed.data)
                self.assertFalse(empty)  # no empty match: finditer's next search
                begins: list[str] = []
                for op, av in items:
                    if op is c.LITERAL:
                        begins.append(chr(av))
                    elif op is c.RANGE:
                        begins += map(chr, range(av[0], av[1] + 1))
                    elif op is c.CATEGORY and av in (
                        c.CATEGORY_DIGIT,
                        c.CATEGORY_UNI_DIGIT,
                    ):
                        begins += digits
                    else:
                        self.fail(f"the test cannot tell {op} {av}")
                missing = [ch for ch in begins if not scanner.first.fullmatch(ch)]
                self.assertEqual(missing, [])

    def test_the_same_matches_as_the_pattern_alone(self):
        texts = [case.text for case in CASES.values()]
        texts += [f"据统计，{p}，全市新增企业120家。" for p in PERIOD_PHRASES]
        texts += ["下午三点半召开会议，3时半结束", "位列全省前10名，目前3名"]
        texts.append(SEED.read_text(encoding="utf-8"))
        for scanner in self.scanners():
            with self.subTest(scanner.pattern.pattern[:40]):
                total = 0
                for text in texts:
                    want = [
                        (m.span(), m.groupdict())
                        for m in scanner.pattern.finditer(text)
                    ]
                    got = [(m.span(), m.groupdict()) for m in scanner.finditer(text)]
                    self.assertEqual(got, want, text)
                    total += len(want)
                self.assertGreater(total, 0)  # the corpus exercises it
