"""Tests of yantai.text: the Chinese text helpers shared by both apps."""

from decimal import Decimal
from unittest import TestCase

from yantai.text import parse_chinese_number, to_halfwidth


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
