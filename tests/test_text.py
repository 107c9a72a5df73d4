"""Tests of yantai.text: the Chinese text helpers shared by both apps."""

import codecs
import io
from decimal import Decimal
from unittest import TestCase

from yantai.text import (
    decode_text,
    file_encoding,
    parse_chinese_number,
    spreadsheet_date,
    spreadsheet_number,
    to_halfwidth,
    to_simplified,
)


class ParseChineseNumberTests(TestCase):
    def test_numerals(self):
        """Arabic, Chinese and mixed numerals parse to exact decimals."""
        cases = {
            "604": "604",
            "1,700": "1700",
            "97.5": "97.5",
            "0": "0",
            "六百零四": "604",
            "二百四十二": "242",
            "两": "2",
            "十": "10",
            "十二": "12",
            "一千七百": "1700",
            "一万零五百": "10500",
            "两千三百万": "23000000",
            "壹佰": "100",
            "零点五": "0.5",
            "三点五": "3.5",
            "1.2万": "12000",
            "3.5亿": "350000000",
            "1.5万亿": "1500000000000",
            "三点五亿": "350000000",
            "1万2千": "12000",
            "3亿5000万": "350000000",
            "百": "100",
            "千万": "10000000",
            "１７００": "1700",
            " 604 ": "604",
        }
        for text, expected in cases.items():
            with self.subTest(text=text):
                self.assertEqual(parse_chinese_number(text), Decimal(expected))

    def test_integral_values_have_no_exponent(self):
        """1.2万 is 12000, not 1.2E+4, so it prints and serialises as it reads."""
        self.assertEqual(str(parse_chinese_number("1.2万")), "12000")
        self.assertEqual(str(parse_chinese_number("3.5亿")), "350000000")
        self.assertEqual(str(parse_chinese_number("97.50")), "97.5")

    def test_not_numerals(self):
        """Hedges, units, ordinals and other words are not numerals."""
        for text in (
            "",
            "六百余",
            "三十多",
            "97%",
            "第三",
            "几十",
            "abc",
            "1.2.3",
            "1,7000",
            "万一",
            "604项",
        ):
            with self.subTest(text=text):
                self.assertIsNone(parse_chinese_number(text))


class ToHalfwidthTests(TestCase):
    def test_keeps_length(self):
        """Full-width digits, ％ and ．become ASCII; the length does not change."""
        text = "合格率９７．５％，共１７００批次"
        result = to_halfwidth(text)
        self.assertEqual(result, "合格率97.5%，共1700批次")
        self.assertEqual(len(result), len(text))


class ToSimplifiedTests(TestCase):
    def test_traditional_words_become_simplified(self):
        cases = {
            "質量": "质量",
            "標準化": "标准化",
            "煙臺": "烟台",  # Taiwan's 臺
            "檢驗檢測": "检验检测",
            "裡面": "里面",
            "衞生": "卫生",  # Hong Kong's 衞
            "質量 标准 ＧＢ": "质量 标准 ＧＢ",  # mixed scripts, widths kept
        }
        for text, expected in cases.items():
            with self.subTest(text=text):
                self.assertEqual(to_simplified(text), expected)

    def test_an_ambiguous_character_follows_its_phrase(self):
        cases = {
            "乾燥": "干燥",
            "乾隆": "乾隆",
            "頭髮": "头发",
            "發展": "发展",
            "後來": "后来",
            "皇后": "皇后",
        }
        for text, expected in cases.items():
            with self.subTest(text=text):
                self.assertEqual(to_simplified(text), expected)

    def test_simplified_text_is_left_as_it_is(self):
        text = (
            "烟台市标准化工作成效显著，什么是质量强市？乾隆年间的干燥剂、头发和皇后。"
        )
        self.assertEqual(to_simplified(text), text)
        ascii_text = "GB/T 32150"
        self.assertIs(to_simplified(ascii_text), ascii_text)


# Chinese text with the symbols of quality news: ℃, №, ‰, ±, ·, —, …, pinyin.
CHINESE = "烟台市计量院：温度计示值误差±0.5℃，合格率≥97‰·“标准”——《第№3号》…Yāntái\n"


class DecodeTextTests(TestCase):
    def test_utf8_with_or_without_bom(self):
        self.assertEqual(decode_text(CHINESE.encode()), CHINESE)
        self.assertEqual(decode_text(CHINESE.encode("utf-8-sig")), CHINESE)

    def test_gbk_and_gb18030(self):
        """What Chinese Windows saves (GBK; GB18030, its superset) reads back."""
        self.assertEqual(decode_text(CHINESE.encode("gbk")), CHINESE)
        self.assertEqual(
            decode_text(("𠀀" + CHINESE * 30).encode("gb18030")), "𠀀" + CHINESE * 30
        )

    def test_utf16_after_its_byte_order_mark(self):
        """Notepad's "Unicode" (UTF-16 LE with its mark), and big-endian too."""
        for encoding in ("utf-16-le", "utf-16-be"):
            bom = "\ufeff".encode(encoding)
            with self.subTest(encoding=encoding):
                self.assertEqual(decode_text(bom + CHINESE.encode(encoding)), CHINESE)
        with self.assertRaises(UnicodeDecodeError):  # a mark, then no UTF-16
            decode_text(codecs.BOM_UTF16_LE + b"\x00\xd8")

    def test_other_encodings_refused(self):
        """Bytes of other encodings that GB18030 would read as rare characters, or
        not at all, raise UTF-8's error at the first byte that is not UTF-8."""
        for text, encoding in [
            ("Grüße aus München, café", "latin-1"),
            ("Müller-Lüdenscheidt", "cp1252"),
            ("臺灣標準檢驗局的檢測報告", "big5"),
            ("日本語のテキストです", "shift_jis"),
        ]:
            data = b"abc\n" + text.encode(encoding)
            with self.subTest(encoding=encoding):
                with self.assertRaises(UnicodeDecodeError) as caught:
                    decode_text(data)
                self.assertEqual(caught.exception.encoding, "utf-8")
                self.assertGreaterEqual(caught.exception.start, 4)


class FileEncodingTests(TestCase):
    def test_chunks(self):
        """Read in chunks whose ends split characters; the file is left at its start."""
        for data, expected in [
            (CHINESE.encode() * 50, "utf-8-sig"),
            (CHINESE.encode("utf-8-sig") * 50, "utf-8-sig"),
            (CHINESE.encode("gbk") * 50, "gb18030"),
            (b"plain ascii\n" * 50, "utf-8-sig"),
            ((CHINESE * 50).encode("utf-16"), "utf-16"),
            ("Grüße aus München".encode("latin-1") * 50, None),
            ("臺灣標準檢驗局的檢測報告".encode("big5") * 50, None),
        ]:
            file = io.BytesIO(data)
            with self.subTest(data=data[:20], expected=expected):
                self.assertEqual(file_encoding(file, chunk_size=7), expected)
                self.assertEqual(file.tell(), 0)


class SpreadsheetCellTests(TestCase):
    def test_dates(self):
        for text, expected in [
            ("2021-03-01", "2021-03-01"),
            ("2021/3/1", "2021-03-01"),
            ("2021年3月1日", "2021-03-01"),
            ("２０２１年３月１日", "2021-03-01"),
            (" 2021.03.01 ", "2021-03-01"),
            ("2021/2/30", "2021/2/30"),  # no such day: left for the field to refuse
            ("3/1/2021", "3/1/2021"),  # month first: not guessed
            ("2021年3月", "2021年3月"),
        ]:
            with self.subTest(text=text):
                self.assertEqual(spreadsheet_date(text), expected)

    def test_numbers(self):
        for text, expected in [
            ("1,700", "1700"),
            ("-12,345.5", "-12345.5"),
            ("１７００", "1700"),
            (" 604 ", "604"),
            ("1,7000", "1,7000"),  # not thousands: left for the field to refuse
            ("1 700", "1700"),
            ("12\u00a0345\u2009678", "12345678"),  # no-break and thin spaces
            ("1\u202f700.5", "1700.5"),  # narrow no-break space
            ("1 7000", "1 7000"),
            ("1  700", "1  700"),
            ("97%", "97%"),
        ]:
            with self.subTest(text=text):
                self.assertEqual(spreadsheet_number(text), expected)


class EchoedTests(TestCase):
    def test_a_short_value_whole_a_long_one_cut(self):
        from yantai.text import echoed

        self.assertEqual(echoed("abc"), "abc")
        self.assertEqual(echoed("x" * 20), "x" * 20)
        self.assertEqual(echoed("x" * 1_000_000), "x" * 20 + "…")
        self.assertEqual(echoed(10**30, length=3), "100…")


class JoinListTests(TestCase):
    def test_chinese_and_english(self):
        from django.utils import translation

        from yantai.text import join_list

        with translation.override("zh-hans"):
            self.assertEqual(join_list(["甲", "乙", 3]), "甲、乙、3")
        with translation.override("en"):
            self.assertEqual(join_list(["id", "title"]), "id, title")
            self.assertEqual(join_list(["id"]), "id")
            self.assertEqual(join_list([]), "")


class JoinSentencesTests(TestCase):
    """Several messages shown as one read as one sentence in either language."""

    def test_chinese_and_english(self):
        from django.utils import translation

        from yantai.text import join_sentences

        with translation.override("zh-hans"):
            self.assertEqual(
                join_sentences(["标题不能为空。", "正文太长。"]),
                "标题不能为空；正文太长。",
            )
            self.assertEqual(join_sentences(["只有一条。"]), "只有一条。")
        with translation.override("en"):
            self.assertEqual(
                join_sentences(["The title is required.", "The body is too long."]),
                "The title is required; The body is too long.",
            )
            self.assertEqual(join_sentences(["", " One. "]), "One.")
            self.assertEqual(join_sentences([]), "")
