"""Print the figures (quantitative statements) of a news page-text file, or, with
``--all``, propose the figures of every published article for review."""

import functools
import json
import time
from datetime import date, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from news.models import Article
from news.parsing import SHANGHAI, PageTextError, ParsedPage, parse_page_text
from quality.extraction import Figure, extract_figures
from quality.figure_links import figure_marks_batch
from quality.figure_review import (
    PROPOSAL_ROWS,
    checked_proposals,
    insert_proposal_rows,
    proposed_keys,
)
from quality.models import Indicator
from yantai.batches import worked_ahead

BATCH = 200


def _propose(
    rows: list[tuple[int, str, date, set]], indicators: list[Indicator]
) -> list[list[list]]:
    """For each (id, body text, publication date, its proposals' keys), the rows of
    its new proposals, checked (``checked_proposals``): no database."""
    return [
        PROPOSAL_ROWS.values_of(
            checked_proposals(pk, text, extract_figures(text, on), known, indicators)
        )
        for pk, text, on, known in rows
    ]


def _article_batches(queryset, size: int = BATCH):
    """(id, body text, date, keys of its proposals) of the articles, a batch at a
    time, by id. A batch's keys are read one batch ahead of its write: a proposal
    made meanwhile by the admin's 提取数据 is skipped at the insert."""
    last = 0
    while True:
        rows = list(
            queryset.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "body_text", "published_at")[:size]
        )
        if not rows:
            return
        last = rows[-1][0]
        # Each article gets its own keys, so a worker is sent only its part's: one
        # set for the batch, sent whole with each part, cost the archive's re-run
        # 72.4 s of CPU against 70.6 s (one run each).
        known: dict[int, set] = {pk: set() for pk, _text, _at in rows}
        for key in proposed_keys(list(known)):
            known[key[0]].add(key)
        yield [
            (pk, text, timezone.localdate(at or timezone.now()), known[pk])
            for pk, text, at in rows
        ]


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
        parser.add_argument("file", metavar="FILE", nargs="?")
        parser.add_argument(
            "--all",
            action="store_true",
            help="为全部已发布文章提取数据，存为待审核的数据建议（已提过的不重复）。",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            metavar="N",
            help="与 --all 一起用：N 个进程并行提取（写数据库始终在主进程）。",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH,
            metavar="N",
            help=_("与 --all 一起用：每批（一个事务）处理的文章数，默认 %(n)d。")
            % {"n": BATCH},
        )
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="不显示进度条（不在终端上运行时本来就不显示）。",
        )
        parser.add_argument(
            "--json", action="store_true", help="输出一个 JSON 列表（每条数据一项）。"
        )
        parser.add_argument(
            "--published-at",
            metavar="ISO",
            help="发布日期（ISO 格式），不给时读取文件的来源和时间行。",
        )

    def handle(self, *args, **options):
        if options["all"]:
            if options["file"]:
                raise CommandError(_("--all 与文件名不能同时给出。"))
            return self.handle_all(options)
        if not options["file"]:
            raise CommandError(
                _("请给出一个网页文本文件，或用 --all 处理全部已发布文章。")
            )
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

    def handle_all(self, options):
        """Propose the figures of every published article as the review's own
        service (what the admin's 提取数据 button does) would, a batch per
        transaction and a few statements a batch: what
        ``figure_proposals_extract_many`` writes, its proposals made and checked in
        the worker processes."""
        jobs = options["jobs"]
        if jobs < 1:
            raise CommandError(_("--jobs 须是正整数。"))
        size = options["batch_size"]
        if size < 1:
            raise CommandError(_("--batch-size 须是正整数。"))
        started = time.perf_counter()
        articles = Article.objects.published()
        total = articles.count()
        bar = None
        # The command's own stderr (call_command may redirect it), unwrapped:
        # OutputWrapper would end each of tqdm's carriage-return updates with a newline.
        stderr = self.stderr._out
        if not options["no_progress"] and stderr.isatty():
            from tqdm import tqdm

            bar = tqdm(total=total, unit=_("篇"), desc=_("提取"), file=stderr)
        # No more workers than articles: a batch is split into one part a worker.
        jobs = max(1, min(jobs, total))
        done = proposed = 0
        propose = functools.partial(
            _propose, indicators=list(Indicator.objects.select_related("unit"))
        )
        try:
            # The workers extract the figures and make and check the proposals (what
            # figure_proposals_extract_many does in one process); they never use the
            # database connection they inherit. Batches are read here, one ahead of
            # the writes, which are this process's only work.
            with worked_ahead(
                _article_batches(articles, size), propose, jobs
            ) as worked:
                for _rows, batch in worked:
                    with figure_marks_batch():
                        proposed += insert_proposal_rows(
                            [row for proposals in batch for row in proposals]
                        )
                    done += len(batch)
                    if bar is not None:
                        bar.update(len(batch))
        finally:
            if bar is not None:
                bar.close()
        self.stdout.write(
            _(
                "已处理 %(done)d 篇文章，新增 %(n)d 条待审核的数据建议；"
                "%(jobs)d 个进程，用时 %(s).1f 秒。"
            )
            % {
                "done": done,
                "n": proposed,
                "jobs": jobs,
                "s": time.perf_counter() - started,
            }
        )
