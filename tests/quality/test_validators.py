"""Validators: 统一社会信用代码 check characters and standard codes by type."""

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from quality.validators import (
    credit_code_check_character,
    validate_credit_code,
    validate_standard_code,
)

# Published codes of well-known companies; each also passes the GB 11714 check of its
# embedded organisation code.
VALID_CODES = [
    "914403001922038216",  # 华为技术有限公司
    "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
    "91330100716105852F",  # 阿里巴巴（中国）有限公司
]


class CreditCodeTests(SimpleTestCase):
    def test_real_codes_pass(self):
        """Real codes validate and their check character is recomputed exactly."""
        for code in VALID_CODES:
            with self.subTest(code=code):
                validate_credit_code(code)
                self.assertEqual(credit_code_check_character(code[:17]), code[17])

    def test_lowercase_is_accepted(self):
        validate_credit_code("91440300708461136t")

    def test_wrong_check_character_names_the_right_one(self):
        """91370600163097613A fails: its check character should be J."""
        with self.assertRaises(ValidationError) as caught:
            validate_credit_code("91370600163097613A")
        self.assertEqual(caught.exception.code, "credit_code_check")
        self.assertIn("最后一位应为 J", caught.exception.messages[0])

    def test_changed_digit_fails(self):
        with self.assertRaises(ValidationError) as caught:
            validate_credit_code("914403001922038226")
        self.assertEqual(caught.exception.code, "credit_code_check")

    def test_bad_format(self):
        """Wrong length and the excluded letters I, O, S, V, Z are format errors."""
        for code in [
            "91440300708461136",
            "9144030070846113TTT",
            "9144030070846113IT",
            "91440300708461136Z",
            "",
        ]:
            with self.subTest(code=code), self.assertRaises(ValidationError) as caught:
                validate_credit_code(code)
            self.assertEqual(caught.exception.code, "credit_code_format")
            self.assertIn("18 位", caught.exception.messages[0])

    def test_check_character_zero_when_remainder_is_zero(self):
        """31 - 0 wraps to the character 0, not to an out-of-range index."""
        self.assertEqual(credit_code_check_character("0" * 17), "0")
        # 1 × 28 (the last weight): 31 - 28 = 3.
        self.assertEqual(credit_code_check_character("0" * 16 + "1"), "3")


class StandardCodeTests(SimpleTestCase):
    VALID = {
        "national": [
            "GB 2760-2014",
            "GB/T 19001-2016",
            "GB/Z 24294-2009",
            "GB/T 1.1-2020",
        ],
        "industry": ["QB/T 1234-2020", "SN/T 0001-2016", "NY 5001-2001"],
        "local": ["DB37/T 1234-2020", "DB3706/T 12-2021", "DB37 1738-2010"],
        "group": ["T/CAS 115-2005", "T/SDAQI 001-2021"],
        "enterprise": ["Q/YTWH 001-2020"],
    }
    INVALID = [
        ("national", "GB/T19001-2016"),  # no space
        ("national", "DB37/T 1234-2020"),  # a local code
        ("industry", "GB/T 19001-2016"),  # a national code
        ("local", "DB370/T 1-2020"),  # 3-digit region
        ("group", "T/ 1-2020"),
        ("national", "GB/T 19001"),  # no year
        ("national", "GB/T 19001-2016\n"),  # a line break after the year
        ("national", "GB/T １９００１-２０１６"),  # full-width digits
        ("local", "DB٣٧/T 1234-2020"),  # Arabic-Indic digits
    ]

    def test_valid_codes(self):
        for kind, codes in self.VALID.items():
            for code in codes:
                with self.subTest(code=code):
                    validate_standard_code(code, kind)

    def test_invalid_codes_name_the_expected_shape(self):
        for kind, code in self.INVALID:
            with self.subTest(code=code), self.assertRaises(ValidationError) as caught:
                validate_standard_code(code, kind)
            self.assertIn("与所选类型不符", caught.exception.messages[0])
