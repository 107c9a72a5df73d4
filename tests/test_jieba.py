"""yantai.jieba: rjieba's segmenter class without the package's default instance."""

import subprocess
import sys

from django.test import SimpleTestCase

from yantai.jieba import Jieba

TEXT = "烟台市参与制定国家标准604项，山东名牌产品181个，工业产品合格率稳定在97%以上。"


class JiebaTests(SimpleTestCase):
    def test_cuts_as_the_package_class_does(self):
        import rjieba  # noqa: PLC0415 - the reference, in this test only

        self.assertEqual(Jieba().cut(TEXT, True), rjieba.Jieba().cut(TEXT, True))
        self.assertEqual(
            Jieba().cut_for_search(TEXT, True),
            rjieba.Jieba().cut_for_search(TEXT, True),
        )

    def test_loading_it_does_not_build_the_default_segmenter(self):
        # A fresh interpreter: this one may have imported the package already.
        code = (
            "import sys\n"
            "from yantai.jieba import Jieba\n"
            "assert 'rjieba' not in sys.modules, 'package __init__ ran'\n"
            "print(Jieba().cut('质量强市'))\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.strip(), "['质量', '强市']")
