import json
from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory

from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase

SEED = (
    Path(settings.BASE_DIR) / "news" / "fixtures" / "pages" / "000_b5b21bbd38acca12.txt"
)
KEYS = [
    "quote",
    "value",
    "comparator",
    "lower",
    "upper",
    "unit",
    "subject",
    "period_start",
    "period_end",
]


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("extract_figures", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


class ExtractFiguresCommandTests(SimpleTestCase):
    def test_json_is_one_list_with_the_seed_figures(self):
        """--json prints exactly one JSON list; known figures of the seed are in it."""
        out, _ = run("--json", str(SEED))
        records = json.loads(out)
        self.assertIsInstance(records, list)
        self.assertEqual(len(records), 20)
        for record in records:
            self.assertEqual(list(record), KEYS)
        self.assertEqual(
            records[0],
            {
                "quote": "烟台市共参与制修订604项国家标准",
                "value": 604,
                "comparator": "=",
                "lower": None,
                "upper": None,
                "unit": "项",
                "subject": "国家标准",
                "period_start": None,
                "period_end": "2021-01-07",
            },
        )
        food = next(r for r in records if r["subject"] == "食品抽检")
        self.assertEqual(
            food,
            {
                "quote": "去年上半年又完成食品抽检1700批次",
                "value": 1700,
                "comparator": "=",
                "lower": None,
                "upper": None,
                "unit": "批次",
                "subject": "食品抽检",
                "period_start": "2020-01-01",
                "period_end": "2020-06-30",
            },
        )
        rate = next(r for r in records if r["quote"] == "工业产品质量合格率超97%")
        self.assertEqual((rate["comparator"], rate["lower"]), (">", 97))
        self.assertEqual((rate["upper"], rate["unit"]), (None, "%"))

    def test_title_is_not_read(self):
        """The headline's 六百余项 restates the body's 604 项 and is not proposed."""
        records = json.loads(run("--json", str(SEED))[0])
        self.assertNotIn(600, [r["value"] for r in records])
        self.assertNotIn("六百余项", "".join(r["quote"] for r in records))

    def test_published_at_overrides_the_meta_line(self):
        """--published-at resolves 目前 and 去年上半年 against the given date."""
        out, _ = run("--json", "--published-at", "2022-03-01T09:00+08:00", str(SEED))
        records = json.loads(out)
        self.assertEqual(records[0]["period_end"], "2022-03-01")
        food = next(r for r in records if r["subject"] == "食品抽检")
        self.assertEqual(
            (food["period_start"], food["period_end"]), ("2021-01-01", "2021-06-30")
        )

    def test_published_at_with_a_zone_is_read_in_shanghai_time(self):
        """2021-01-06T20:00Z is already 2021-01-07 in Yantai."""
        out, _ = run("--json", "--published-at", "2021-01-06T20:00:00+00:00", str(SEED))
        self.assertEqual(json.loads(out)[0]["period_end"], "2021-01-07")

    def test_text_output_lists_each_figure(self):
        out, _ = run(str(SEED))
        lines = out.strip().splitlines()
        self.assertEqual(len(lines), 21)
        self.assertTrue(lines[0].startswith("604项\t国家标准\t截至 2021-01-07\t"))
        self.assertIn("1700批次\t食品抽检\t2020-01-01～2020-06-30", out)
        self.assertIn("共 20 条数据", lines[-1])

    def test_bad_published_at_names_the_file_and_exits_1(self):
        with self.assertRaises(CommandError) as caught:
            run("--json", "--published-at", "2021年1月7日", str(SEED))
        self.assertEqual(caught.exception.returncode, 1)
        message = str(caught.exception)
        self.assertIn(str(SEED), message)
        self.assertIn("不是 ISO 日期或时间", message)

    def test_unparseable_file_names_file_and_line(self):
        bad = Path(self.enterContext(TemporaryDirectory())) / "bad.txt"
        bad.write_text("一个标题\n\n没有来源和时间的第一段。\n", encoding="utf-8")
        with self.assertRaises(CommandError) as caught:
            run("--json", str(bad))
        self.assertEqual(caught.exception.returncode, 1)
        message = str(caught.exception)
        self.assertIn(str(bad), message)
        self.assertIn("第 ", message)
        self.assertIn("缺少来源和时间行", message)

    def test_missing_file(self):
        with self.assertRaises(CommandError) as caught:
            run("/nonexistent/page.txt")
        self.assertEqual(caught.exception.returncode, 1)
        self.assertIn("/nonexistent/page.txt：无法读取文件", str(caught.exception))

    def test_binary_file(self):
        bad = Path(self.enterContext(TemporaryDirectory())) / "image.bin"
        bad.write_bytes(b"\x89PNG\x00\x00")
        with self.assertRaises(CommandError) as caught:
            run("--json", str(bad))
        self.assertIn(f"{bad}：不是 UTF-8 文本文件", str(caught.exception))
