"""Print the figures (quantitative statements) of a news page-text file."""

import json
from datetime import date, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from news.parsing import SHANGHAI, PageTextError, ParsedPage, parse_page_text
from quality.extraction import Figure, extract_figures


def page_body_text(page: ParsedPage) -> str:
    """The text figures are extracted from: headings and paragraphs, one per line.

    The title is left out on purpose: a headline restates a figure of the body in a
    shorter, hedged form ("参与制修订六百余项国家标准" for the body's 604 项), so
    including it would propose the same figure twice. This matches what the admin's
    "提取数据" page reads (``Article.body_text``, which has no title either).
    """
    return "\n".join(block.text for block in page.blocks)


def parse_published_at(value: str, name: str) -> date:
    """Return the date of an ISO date or datetime, in Asia/Shanghai if it has a zone."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"{name}：--published-at “{value}”不是 ISO 日期或时间"
            "（例如 2021-01-07 或 2021-01-07T10:36+08:00）。",
            returncode=1,
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(SHANGHAI)
    return moment.date()


def format_figure(figure: Figure) -> str:
    """One human-readable line: value, unit, subject, period, then the quote."""
    if figure.lower is not None or figure.upper is not None:
        lower = "" if figure.lower is None else figure.lower
        upper = "" if figure.upper is None else figure.upper
        bounds = f" [{lower}, {upper}]"
    else:
        bounds = ""
    if figure.period_start:
        period = f"{figure.period_start.isoformat()}～{figure.period_end.isoformat()}"
    else:
        period = f"截至 {figure.period_end.isoformat()}"
    comparator = "" if figure.comparator == "=" else figure.comparator
    return (
        f"{comparator}{figure.value}{figure.unit}{bounds}\t{figure.subject or '—'}"
        f"\t{period}\t{figure.quote}"
    )


class Command(BaseCommand):
    help = (
        "列出新闻网页文本文件中的数据（数值、单位、统计对象、时期）。"
        "只读正文的小标题和段落，不读标题；不写数据库。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")
        parser.add_argument(
            "--json", action="store_true", help="输出一个 JSON 列表（每条数据一项）。"
        )
        parser.add_argument(
            "--published-at",
            metavar="ISO",
            help="发布日期（ISO 格式），不给时读取文件的来源和时间行。",
        )

    def handle(self, *args, **options):
        name = options["file"]
        published_on = None
        if options["published_at"] is not None:
            published_on = parse_published_at(options["published_at"], name)
        try:
            page = parse_page_text(Path(name).read_bytes())
        except OSError as error:
            raise CommandError(
                f"{name}：无法读取文件（{error.strerror}）", returncode=1
            ) from None
        except PageTextError as error:
            raise CommandError(f"{name}：{error}", returncode=1) from None
        if published_on is None:
            published_on = page.published_at.astimezone(SHANGHAI).date()
        figures = extract_figures(page_body_text(page), published_on)
        if options["json"]:
            records = [figure.as_dict() for figure in figures]
            self.stdout.write(json.dumps(records, ensure_ascii=False))
            return
        for figure in figures:
            self.stdout.write(format_figure(figure))
        self.stdout.write(f"共 {len(figures)} 条数据（{name}）。")
