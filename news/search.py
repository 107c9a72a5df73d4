"""Chinese full-text search over published articles: one interface, two engines.

Both engines read the same side table, ``news_article_search`` (created by migration
``0002_article_search_index``): one row per *published* article holding its text
already cut into words by rjieba and joined with spaces, so the database only has to
split on whitespace. The title sits in its own column so that it can weigh more.

- SQLite: an external-content FTS5 table ``news_article_fts`` over that side table,
  kept in step by triggers. Its tokenizer is ``ascii``
  (migration 0014): the rows are already words, it only splits on the spaces.
- PostgreSQL: a ``tsvector`` column (``simple`` configuration, title weight A, the
  rest weight B) with a GIN index. A trigger works it out
  from the row's words (migration 0016) unless the writer gives it: the bulk import
  gives it, worked out in its worker processes (``tsvector_text``).

Both rank alike (``SearchResults._engine_sql``): every query word in the title, then
some, then the rest, each newest published first; not by bm25 and ts_rank, which
ordered the same matches apart. The engine is chosen by ``connection.vendor``. User text never reaches ``MATCH`` or
``to_tsquery``: the query is segmented with the same segmenter, reduced to word
characters, and every token is quoted. Texts and queries alike are folded first
(``fold``: ＧＢ／Ｔ ３２１５０ as GB/T 32150) and lower-cased.
"""

from __future__ import annotations

import re
import time as time_module
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import chain

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models import Max, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from yantai.batches import worked_ahead
from yantai.caching import parts_key
from yantai.database import refresh_statistics
from yantai.jieba import Jieba
from yantai.text import to_simplified

from . import pagecache
from .models import Article, ArticleSearch, Byline, Person

MAX_QUERY_CHARS = 100
SEARCH_COUNT_SECONDS = 60
# How long a search process goes without asking for new names (``learn_names``).
NAMES_MAX_AGE = 10.0
MAX_QUERY_TOKENS = 12
# Domain words kept in one piece. Search mode (``cut_for_search``) still emits their
# two-character parts (国家标准 → 国家, 标准, 国家标准), so short words match too.
DOMAIN_WORDS = (
    "国家标准",
    "行业标准",
    "地方标准",
    "团体标准",
    "企业标准",
    "国际标准",
    "山东名牌",
    "山东省名牌",
    "质检中心",
    "合格率",
    "社会公用计量标准",
    "计量标准",
    "计量",
    "名牌",
    "标准化",
    "质量强市",
    "质量强省",
    "认证认可",
    "检验检测",
    "质量监管",
    "市场监管",
    "市场监督管理局",
    "烟台市",
    "胶东",
    "品质烟台",
)
# Words too common to narrow a query; dropped from queries of several words.
STOP_WORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "在",
        "是",
        "对",
        "等",
        "为",
        "将",
        "把",
        "被",
        "也",
        "都",
        "就",
        "而",
        "或",
        "之",
    ]
)
_WORD_RE = re.compile(r"\w+")
# In nearly every title of a Yantai site: sharing them does not make news related.
GENERIC_TITLE_WORDS = frozenset({"烟台", "烟台市", "我市", "全市", "工作", "开展"})


@cache
def _segmenter() -> Jieba:
    # A private instance: adding our words to rjieba's default one would change how
    # other code (figure extraction) cuts text.
    jieba = Jieba()
    for word in DOMAIN_WORDS:
        jieba.add_word(word, None, None)
    return jieba


# People's names are words too: without them 局长孙洪安说 is cut as 局长 / 孙洪安说 and
# a search for 孙洪安 misses the article. Each process teaches its segmenter the names
# of the people added since it last looked (``learn_names``, before every index
# write); the process that saves a person learns its name at commit and re-indexes
# the articles mentioning it (``index_mentions``, from ``news.signals``). A rename
# also replaces the names token in the shared cache (``names_changed``), so that every
# other process and machine learns the new name too.
# Tag names are not added: a tagged article's index holds its tags as whole words, and
# a query for a tag's words must keep matching untagged articles indexed before.
NAMES_TOKEN_KEY = "news:names-token"
_NO_TOKEN = object()


@dataclass
class _Names:
    words: set[str] = field(default_factory=set)
    last_person_id: int = 0
    checked_at: float = float("-inf")  # time.monotonic() of the last look
    token: object = _NO_TOKEN  # the names token when all names were last read


_names = _Names()


def learn_name(name: str) -> bool:
    """Add one name to the segmenter; False if it is not a word or already known."""
    word = fold(name or "").strip().lower()
    if len(word) < 2 or not _WORD_RE.fullmatch(word) or word in _names.words:
        return False
    _segmenter().add_word(word, None, None)
    _names.words.add(word)
    return True


def learn_names(max_age: float = 0) -> None:
    """Teach the segmenter the names of people added since this process last looked,
    and all names again when one was renamed meanwhile (the names token changed).

    One query and a read of the shared cache; a second query only when there are
    new or renamed people; none when it looked less than ``max_age`` seconds ago
    (searches: a name may take that long to be learnt).
    """
    now = time_module.monotonic()
    if now - _names.checked_at < max_age:
        return
    _names.checked_at = now
    token = caches["shared"].get(NAMES_TOKEN_KEY)
    renamed = token != _names.token
    last_id = Person.objects.aggregate(last=Max("pk"))["last"] or 0
    if not renamed and last_id <= _names.last_person_id:
        return
    since = 0 if renamed else _names.last_person_id
    for name in Person.objects.filter(pk__gt=since).values_list("name", flat=True):
        learn_name(name)
    _names.last_person_id = last_id
    _names.token = token


def names_changed() -> None:
    """A person was renamed: every process learns all names again at its next look
    (``learn_names``). Call it after the commit."""
    caches["shared"].set(NAMES_TOKEN_KEY, uuid.uuid4().hex[:12], None)


def load_segmenter() -> None:
    """Load the segmenter's dictionary now (~0.1 s), not at the first cut."""
    _segmenter()


def frequency(word: str) -> int:
    """How common ``word`` is by the segmenter's dictionary (a character: about its
    count in the dictionary's corpus): the bulk import's 错敏字 pattern starts each
    word from its rarest character (``news.bulk._words_pattern``)."""
    return _segmenter().suggest_freq(word)


# Full-width forms (U+FF01–U+FF5E) as their ASCII counterparts and the ideographic
# space as a space, one character for one: Chinese editors type standard numbers
# full-width (ＧＢ／Ｔ ３２１５０, ＩＳＯ９００１), readers type them either way.
# Search's own fold: ``yantai.text.to_halfwidth`` folds digits, ％ and ． only,
# for figure extraction, which keeps "，" as the Chinese comma.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def fold(text: str) -> str:
    """``text`` with its full-width forms and ideographic spaces made ASCII, when it
    holds a full-width letter, digit or sign that can be part of a word; else
    ``text`` itself. The same length: a position in the result is one in ``text``.

    Almost every Chinese text holds full-width punctuation (，（）：), and translate()
    costs 20 times the search for a character that needs it (1.6 against 0.07 ms
    over a page of 21,000 characters): the punctuation is a piece of its own for the
    segmenter and no word either way, so the words of the result are always those
    of the whole fold (tests/news/test_search_fullwidth.py).
    """
    return text.translate(_FOLD) if _FOLD_NEEDED_RE.search(text) else text


def tokens(text: str) -> list[str]:
    """Words of ``text`` in search mode, lower-cased, punctuation and spaces dropped.

    ``tokens("国家标准")`` is ``["国家", "标准", "国家标准"]``.
    """
    text = fold(text or "").lower()
    if "_" in text:
        return _tokens_by_piece(text)
    # The segmenter cuts its runs of Chinese, letters, digits and _JOINED into
    # pieces, and yields every other character alone; a piece is a word (kept) or
    # has words only by the characters of _JOINED ("61%", "3.5", "2021-12-05"). With
    # those made spaces first, every piece is a word or holds none: one filter
    # instead of a look at each of a page's ~1,900 pieces (0.50 against 0.54 ms a
    # page of the shared dataset), the same words in the same order on each of its
    # 20,000 pages and around every character (tests/news/test_search.py). A word of
    # the dictionary with a hyphen gives its parts once: e-mail as e, mail, not
    # also the mail search mode finds in it.
    for joined in _JOINED:
        if joined in text:
            text = text.replace(joined, " ")
    words = list(filter(str.isalnum, _segmenter().cut_for_search(text, True)))
    return _with_parts(words) if _LETTER_DIGIT_RE.search(text) else words


# A letter beside a digit: the segmenter keeps a run of them as one word (iso9001,
# t32150 of GB/T32150), which the same thing written apart (ISO 9001) never matches.
# Written from the digit (a letter before it, or one after): 0.10 ms over a page of
# 21,000 characters, against 0.30 for "[a-z][0-9]|[0-9][a-z]" (tokens: ~2.7 ms).
_LETTER_DIGIT_RE = re.compile("[0-9](?:(?<=[a-z][0-9])|[a-z])")
_LETTERS_AND_DIGITS_RE = re.compile("[a-z0-9]*(?:[a-z][0-9]|[0-9][a-z])[a-z0-9]*")
_LETTERS_OR_DIGITS_RE = re.compile("[a-z]+|[0-9]+")


def _with_parts(words: list[str]) -> list[str]:
    """``words`` with each run of letters and digits preceded by its parts, as search
    mode precedes a word with the shorter words in it: iso9001 → iso, 9001,
    iso9001. The index holds both, the query asks for the parts (``parts``)."""
    out: list[str] = []
    for word in words:
        if _LETTERS_AND_DIGITS_RE.fullmatch(word):
            out.extend(_LETTERS_OR_DIGITS_RE.findall(word))
        out.append(word)
    return out


def query_word(word: str) -> str:
    """A query word; a run of letters and digits as the phrase of its parts
    (iso9001 → "iso 9001": iso then 9001, next to each other), which matches it
    written either way and not 4G's g in an article that also has a 5."""
    if _LETTERS_AND_DIGITS_RE.fullmatch(word):
        return " ".join(_LETTERS_OR_DIGITS_RE.findall(word))
    return word


# The characters besides letters, digits and "_" that the segmenter keeps in its
# runs of Chinese (jieba's [\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+, more ranges of
# Chinese in rjieba's).
_JOINED = "+#&.%-"
# The full-width characters ``fold`` is for: letters, digits, "_" and _JOINED's.
_FOLD_NEEDED_RE = re.compile(
    "[０-９Ａ-Ｚａ-ｚ＿" + "".join(chr(ord(c) + 0xFEE0) for c in _JOINED) + "]"
)


def _tokens_by_piece(text: str) -> list[str]:
    """``tokens`` of a lower-cased, folded text, piece by piece: a piece with
    "_" ("a_b") is one word of ``\\w+``, which str.isalnum() is not."""
    out: list[str] = []
    append, extend, known = out.append, out.extend, _PIECE_WORDS.get
    for piece in _segmenter().cut_for_search(text, True):
        if piece.isalnum():  # most pieces: a word, kept as it is (fast path)
            append(piece)
            continue
        # The others (punctuation, spaces, "3.5"): their words, looked up.
        words = known(piece)
        if words is None:
            words = _WORD_RE.findall(piece)
            if len(piece) <= 8 and len(_PIECE_WORDS) < 10_000:
                _PIECE_WORDS[piece] = words
        if words:
            extend(words)
    return _with_parts(out) if _LETTER_DIGIT_RE.search(text) else out


# The words of the segmenter's pieces that are not a word (a page of the import has
# ~300 of them, most of them punctuation): a lookup instead of a findall each.
_PIECE_WORDS: dict[str, list[str]] = {}


def index_text(*parts: str) -> str:
    """Space-joined tokens of ``parts``: what goes into the index."""
    return " ".join(
        [" ".join(words) for part in parts if part and (words := tokens(part))]
    )


def _query_groups(folded: str, cut_inside: bool) -> list[tuple[str, ...]]:
    """``SearchQuery.groups`` of a folded, lower-cased query; ``cut_inside``: the
    reader's text was cut at MAX_QUERY_CHARS inside a word, whose piece is dropped."""
    words: list[str] = []
    for piece in _segmenter().cut(folded, True):
        words.extend(map(query_word, _WORD_RE.findall(piece)))
    if cut_inside and len(words) > 1:
        words.pop()
    # Stop words only (的, 的了): nothing to search for, not every article.
    meaningful = [w for w in words if w not in STOP_WORDS]
    unique = list(dict.fromkeys(meaningful))[:MAX_QUERY_TOKENS]
    groups = [tuple(unique)] if unique else []
    # Only a query of one run of word characters: "3.5" is not the word 35.
    whole = folded if _WORD_RE.fullmatch(folded) else ""
    if whole and len(unique) > 1 and len(whole) <= 4:
        groups.append((whole,))
    return groups


@dataclass(frozen=True)
class SearchQuery:
    """A reader's query reduced to safe tokens.

    ``groups`` is a list of alternatives, each a list of tokens that must all occur
    (a token with spaces is a phrase: its words next to each other, ``query_word``):
    the segmented query, and the whole query as one word for a short name that the
    segmenter cuts into single characters (逄苗 → 逄 / 苗), when nothing separates
    its characters ("3.5" is not 35, "孙 洪安" two words).

    The query is searched in simplified characters (``to_simplified``: 質量 as
    质量), as the articles and their index are written. When that changes it, the
    groups of the query as typed follow, those it does not have already: they
    keep finding an article that writes a word so, and a simplified word OpenCC
    takes for traditional (二噁英, which it makes 二𫫇英) what it found before.
    ``unmarked``: their words not highlighted, those written alike in both scripts
    that the simplified groups do not hold (标准 of 質量标准 cut as 質量 / 标准,
    where 质量标准 is one word), so that the marks are the simplified query's.
    """

    text: str
    groups: tuple[tuple[str, ...], ...]
    unmarked: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, raw: str | None) -> SearchQuery:
        collapsed = " ".join((raw or "").split())
        text = collapsed[:MAX_QUERY_CHARS]
        # Cut inside a word (a long sentence pasted in): its piece ("国" of
        # 国家标准) would be required and match nothing.
        cut_inside = (
            len(collapsed) > MAX_QUERY_CHARS
            and " " not in collapsed[MAX_QUERY_CHARS - 1 : MAX_QUERY_CHARS + 1]
        )
        typed = fold(text).lower()
        simplified = to_simplified(typed)
        groups = _query_groups(simplified, cut_inside)
        if not groups or simplified == typed:
            return cls(text=text, groups=tuple(groups))
        searched = {w for group in groups for t in group for w in t.split()}
        unmarked: set[str] = set()
        for group in _query_groups(typed, cut_inside):
            if group not in groups:
                groups.append(group)
                words = {w for t in group for w in t.split()}
                unmarked |= {w for w in words if to_simplified(w) == w} - searched
        return cls(text=text, groups=tuple(groups), unmarked=frozenset(unmarked))

    def __bool__(self) -> bool:
        return bool(self.groups)

    @property
    def unsearchable(self) -> bool:
        """Something was typed, but no word to search for (的, ！！, 😀)."""
        return bool(self.text.strip()) and not self.groups

    @property
    def words(self) -> list[str]:
        """Every token of the query but ``unmarked``, longest first (for
        highlighting)."""
        flat = {w for group in self.groups for t in group for w in t.split()}
        return sorted(flat - self.unmarked, key=len, reverse=True)

    def fts5(self, column: str | None = None) -> str:
        """An FTS5 MATCH expression: quoted tokens, never operators from the reader."""
        prefix = f"{column} : " if column else ""

        def quote(token: str) -> str:
            return " + ".join('"' + w.replace('"', '""') + '"' for w in token.split())

        alternatives = [
            "(" + " AND ".join(quote(t) for t in group) + ")" for group in self.groups
        ]
        return prefix + "(" + " OR ".join(alternatives) + ")"

    def any_tsquery(self, weight: str = "") -> str:
        """A ``to_tsquery`` string matching any one of the query's tokens."""
        tokens = dict.fromkeys(t for group in self.groups for t in group)
        return SearchQuery(self.text, tuple((t,) for t in tokens)).tsquery(weight)

    def tsquery(self, weight: str = "") -> str:
        """A ``to_tsquery`` string: each token quoted as a phrase literal."""

        def quote(token: str) -> str:
            return " <-> ".join(map(quote_word, token.split()))

        def quote_word(word: str) -> str:
            escaped = word.replace("\\", "\\\\").replace("'", "''")
            return f"'{escaped}'" + (f":{weight}" if weight else "")

        alternatives = [
            "(" + " & ".join(quote(t) for t in group) + ")" for group in self.groups
        ]
        return " | ".join(alternatives)


# --- writing the index ----------------------------------------------------------


def _document(article: Article) -> tuple[str, str]:
    return document_words(
        title=article.title,
        kicker=article.kicker,
        subtitle=article.subtitle,
        summary=article.summary,
        body_text=article.body_text,
        tag_names=[t.name for t in article.tags.all()],
        names=[b.person.name for b in article.bylines.all()],
    )


def document_words(
    *,
    title: str,
    kicker: str,
    subtitle: str,
    summary: str,
    body_text: str,
    tag_names: list[str],
    names: list[str],
) -> tuple[str, str]:
    """The index row's (title, body) words of an article's texts, tags (ordered by
    name) and byline names (in byline order). Needs no database: the bulk import
    (``news.bulk``) cuts pages in worker processes with it."""
    title = index_text(title, kicker)
    body = index_text(subtitle, summary, body_text, *tag_names, *names)
    # Names and tags also as whole words, whatever the segmenter makes of them.
    folded = (fold(w).lower() for w in (*names, *tag_names) if w)
    whole = " ".join(w for w in folded if _WORD_RE.fullmatch(w))
    return title, f"{body} {whole}".strip()


def _indexable(article: Article) -> bool:
    # Scheduled articles are indexed too: published() hides them until due at query
    # time, so they appear in results the moment they go live with no extra write.
    return article.status == Article.Status.PUBLISHED


def index_article(article_id: int) -> None:
    """Bring the index row of one article up to date (insert, replace or delete)."""
    article = (
        Article.objects.filter(pk=article_id)
        .prefetch_related("tags", _bylines_prefetch())
        .first()
    )
    if article is None or not _indexable(article):
        remove_article(article_id)
        return
    learn_names()
    title, body = _document(article)
    ArticleSearch.objects.update_or_create(
        article_id=article.pk, defaults={"title": title, "body": body}
    )
    index_changed()


def index_mentions(*names: str) -> None:
    """Teach the segmenter people's names and re-index the articles mentioning any.

    For people just added or renamed: articles indexed before cut the name into
    other words (局长孙洪安说 → 孙洪安说), so a search for it would miss them. Each
    name is looked for in every published article's text: a scan of the table a
    name (0.36-0.38 s at 20,000 articles, SQLite, and as long for ten names ORed
    in one statement), so several names are looked for together, in one pass of
    one regular expression of them all.
    """
    for name in names:
        learn_name(name)
    names = sorted({name for name in names if len(name) >= 2})
    if not names:
        return
    if len(names) == 1:
        # One name: LIKE. The regular expression for one name costs more at
        # 20,000 articles (SQLite 0.57 s against 0.42-0.44 s: Python's re called a
        # row; PostgreSQL 0.80 s against 0.42 s).
        lookup, value = "contains", names[0]
    else:
        lookup, value = "regex", "|".join(re.escape(name) for name in names)
    mentions = Q(
        *[
            (f"{column}__{lookup}", value)
            for column in ("title", "kicker", "subtitle", "summary", "body_text")
        ],
        _connector=Q.OR,
    )
    ids = Article.objects.filter(mentions, status=Article.Status.PUBLISHED)
    for article_id in ids.values_list("pk", flat=True):
        index_article(article_id)


# PostgreSQL's ``document``: what ``setweight(to_tsvector('simple', title), 'A') ||
# setweight(to_tsvector('simple', body), 'B')`` makes of an index row, worked out in
# Python when every word is one the default parser takes whole: an ASCII or Han
# letter followed by letters and digits, or digits alone (tests/news/
# test_search_tsvector.py holds it to the server's). Not otherwise: "1e5abc" is two
# lexemes to the parser, "a_b" too; a word of 2,047 bytes is dropped.
_TSVECTOR_UNSURE_RE = re.compile(
    r"[^ a-z0-9\u4e00-\u9fff]|(?:^| )[0-9]+[a-z\u4e00-\u9fff]|[^ ]{200}"
)  # over the lexemes joined by spaces
_TSVECTOR_LAST_POSITION = 16383  # every later word is put there
_TSVECTOR_POSITIONS = 255  # to_tsvector keeps a lexeme's first 255 positions
_TSVECTOR_CONCAT_POSITIONS = 256  # and || the first 256 of the two


@cache
def _position_labels(weight: str) -> tuple[str, ...]:
    """ "0A", "1A", … "16383A": a position with its weight, as tsvector text has it."""
    return tuple(f"{p}{weight}" for p in range(_TSVECTOR_LAST_POSITION + 1))


def _tsvector_positions(text: str) -> dict[str, list[int]]:
    """to_tsvector('simple', text)'s lexemes and their positions, for a text of
    words the parser takes whole."""
    found: dict[str, list[int]] = {}
    get = found.get
    for position, word in enumerate(text.split(), start=1):
        positions = get(word)
        if positions is None:
            found[word] = [position]
        else:
            positions.append(position)
    last, most = _TSVECTOR_LAST_POSITION, _TSVECTOR_POSITIONS
    for word, positions in found.items():
        if len(positions) > most or positions[-1] > last:
            # Rare: more than 255 of a word, or past the 16,383rd word (all put
            # at the last position, which a lexeme then holds once).
            capped = sorted({min(p, last) for p in positions})[:most]
            found[word] = capped
    return found


def tsvector_text(title: str, body: str) -> str | None:
    """The text form of an index row's PostgreSQL ``document`` (title words weight
    A, body words B), or None when only the server can tell (it then works it out
    itself: migration 0016's trigger).

    Cheaper than the server's parser, which took 1.1 ms a row of the writer's serial
    path at 20,000 articles: the bulk import works this out in its worker processes
    and the server only reads it (docs/benchmarks.md).
    """
    title_positions = _tsvector_positions(title)
    shift = max((p[-1] for p in title_positions.values()), default=0)
    words = body.split()
    counts = Counter(words)
    most = max(counts.values(), default=0) + max(
        map(len, title_positions.values()), default=0
    )
    if len(words) + shift >= _TSVECTOR_LAST_POSITION or most >= _TSVECTOR_POSITIONS:
        return _tsvector_text_capped(title_positions, shift, body)
    # The common case: no lexeme's positions are capped; each body word's position
    # is its label, the title's words shifted past.
    b = _position_labels("B")
    found: dict[str, str] = {}
    get = found.get
    for position, word in enumerate(words, start=shift + 1):
        text = get(word)
        found[word] = b[position] if text is None else f"{text},{b[position]}"
    if _TSVECTOR_UNSURE_RE.search(" ".join([*found, *title_positions])):
        return None
    a = _position_labels("A")
    parts = []
    for word, positions in title_positions.items():
        text = ",".join(map(a.__getitem__, positions))
        more = found.pop(word, None)
        parts.append(f"'{word}':{text},{more}" if more else f"'{word}':{text}")
    parts += [f"'{word}':{text}" for word, text in found.items()]
    return " ".join(parts)


def _tsvector_text_capped(title_positions, shift: int, body: str) -> str | None:
    """``tsvector_text`` for a row where a lexeme reaches the caps (255 positions,
    the 16,383rd word)."""
    body_positions = _tsvector_positions(body)
    if _TSVECTOR_UNSURE_RE.search(" ".join([*body_positions, *title_positions])):
        return None
    a, b = _position_labels("A"), _position_labels("B")
    parts = []
    for word, positions in title_positions.items():
        text = ",".join(map(a.__getitem__, positions))
        more = body_positions.pop(word, None)
        if more and positions[-1] != _TSVECTOR_LAST_POSITION:
            room = _TSVECTOR_CONCAT_POSITIONS - len(positions)
            text += "," + ",".join(map(b.__getitem__, _shifted(more, shift, room)))
        parts.append(f"'{word}':{text}")
    for word, positions in body_positions.items():
        shifted = _shifted(positions, shift, _TSVECTOR_CONCAT_POSITIONS)
        parts.append(f"'{word}':" + ",".join(map(b.__getitem__, shifted)))
    return " ".join(parts)


def _shifted(positions: list[int], shift: int, room: int) -> list[int]:
    """``positions`` moved past the title's as ``||`` moves them: at most ``room``,
    none after one that reached the last position."""
    last = _TSVECTOR_LAST_POSITION
    if not shift or positions[-1] + shift < last:
        return [p + shift for p in positions[:room]] if shift else positions[:room]
    out = []
    for p in positions[:room]:
        out.append(min(p + shift, last))
        if out[-1] == last:
            break
    return out


# tsvector's binary form (tsvector_recv): the lexeme count (int32), then each
# lexeme's UTF-8 bytes, a NUL, its position count (uint16) and its positions (uint16:
# the weight in the two high bits, A = 3, B = 2), all in network order.
_WEIGHT_A, _WEIGHT_B = 3 << 14, 2 << 14


@cache
def _position_bytes(weight: int) -> tuple[bytes, ...]:
    """A position with its weight as two bytes of tsvector's binary form."""
    return tuple(
        (weight | p).to_bytes(2, "big") for p in range(_TSVECTOR_LAST_POSITION + 1)
    )


def tsvector_binary(title: str, body: str) -> bytes | None:
    """``tsvector_text``'s tsvector in PostgreSQL's binary form (for ``COPY … (FORMAT
    BINARY)``), or None when only the server can tell.

    The server reads it without parsing text: 2,000 of the dataset's index rows took
    its backend 0.12-0.16 s of CPU against 0.57-0.68 s for their text form. The
    lexemes are sent in the server's order (their UTF-8 bytes, a prefix first: the
    order of Python's strings), so that it keeps them as they come.
    """
    title_positions = _tsvector_positions(title)
    shift = max((p[-1] for p in title_positions.values()), default=0)
    words = body.split()
    if len(words) + shift >= _TSVECTOR_LAST_POSITION:
        return _tsvector_binary_capped(title_positions, shift, body)
    # Each body word's positions as their bytes, the title's words shifted past.
    b = _position_bytes(_WEIGHT_B)
    found: dict[str, bytes] = {}
    get = found.get
    for position, word in enumerate(words, start=shift + 1):
        given = get(word)
        found[word] = b[position] if given is None else given + b[position]
    most = max(map(len, found.values()), default=0) // 2 + max(
        map(len, title_positions.values()), default=0
    )
    if most >= _TSVECTOR_POSITIONS:
        return _tsvector_binary_capped(title_positions, shift, body)
    if _TSVECTOR_UNSURE_RE.search(" ".join([*found, *title_positions])):
        return None
    a = _position_bytes(_WEIGHT_A)
    for word, positions in title_positions.items():
        found[word] = b"".join(map(a.__getitem__, positions)) + get(word, b"")
    return _tsvector_bytes(found)


_NUL_AND_COUNT = tuple(
    b"\0" + (size // 2).to_bytes(2, "big")
    for size in range(2 * _TSVECTOR_CONCAT_POSITIONS + 1)
)  # by the size of the positions' bytes


def _tsvector_bytes(found: dict[str, bytes]) -> bytes:
    """The binary tsvector of lexemes and their positions' bytes, the lexemes in
    the server's order."""
    words = sorted(found)
    positions = list(map(found.__getitem__, words))
    # No lexeme holds a NUL (_TSVECTOR_UNSURE_RE): encoded in one go.
    lexemes = "\0".join(words).encode().split(b"\0") if words else []
    heads = map(_NUL_AND_COUNT.__getitem__, map(len, positions))
    return len(words).to_bytes(4, "big") + b"".join(
        chain.from_iterable(zip(lexemes, heads, positions, strict=True))
    )


def _tsvector_binary_capped(title_positions, shift: int, body: str) -> bytes | None:
    """``tsvector_binary`` for a row where a lexeme reaches the caps (255 positions,
    the 16,383rd word), as ``_tsvector_text_capped``."""
    body_positions = _tsvector_positions(body)
    if _TSVECTOR_UNSURE_RE.search(" ".join([*body_positions, *title_positions])):
        return None
    a, b = _position_bytes(_WEIGHT_A), _position_bytes(_WEIGHT_B)
    found: dict[str, bytes] = {}
    for word, positions in title_positions.items():
        found[word] = b"".join(map(a.__getitem__, positions))
        more = body_positions.pop(word, None)
        if more and positions[-1] != _TSVECTOR_LAST_POSITION:
            room = _TSVECTOR_CONCAT_POSITIONS - len(positions)
            found[word] += b"".join(map(b.__getitem__, _shifted(more, shift, room)))
    for word, positions in body_positions.items():
        shifted = _shifted(positions, shift, _TSVECTOR_CONCAT_POSITIONS)
        found[word] = b"".join(map(b.__getitem__, shifted))
    return _tsvector_bytes(found)


def remove_article(article_id: int) -> None:
    deleted, _ = ArticleSearch.objects.filter(article_id=article_id).delete()
    if deleted:
        index_changed()


INDEX_TOKEN_KEY = "news:search-index"


def index_token() -> str:
    """A token replaced whenever the index changes (the cached counts' key)."""
    shared = caches["shared"]
    token = shared.get(INDEX_TOKEN_KEY)
    if token is None:
        shared.add(INDEX_TOKEN_KEY, uuid.uuid4().hex[:12], None)
        token = shared.get(INDEX_TOKEN_KEY)
    return token


def index_changed() -> None:
    """Forget the cached counts. The index is written after the commit of its
    cause (news.signals), so no count of the old index is cached after this."""
    caches["shared"].set(INDEX_TOKEN_KEY, uuid.uuid4().hex[:12], None)


def _bylines_prefetch() -> Prefetch:
    return Prefetch("bylines", queryset=Byline.objects.select_related("person"))


def rebuild_index(batch_size: int = 500, progress=None, jobs: int = 1) -> int:
    """Empty the index and fill it with every published article; return the count.

    One transaction: searches read the old index until the new one is whole. The
    parent reads the articles a batch at a time and writes the index rows; with
    ``jobs`` > 1 the words (and on PostgreSQL the ``document``, in binary form, as
    the bulk import sends it) are cut by that many worker processes, one batch ahead
    of the writes. ``progress(done, total)`` is called after each batch.
    """
    articles = Article.objects.filter(status=Article.Status.PUBLISHED)
    total = articles.count()
    learn_names()
    # No more workers than batches; forked after the names are learnt, so that they
    # cut as this process does.
    jobs = max(1, min(jobs, -(-total // batch_size)))

    def batches():
        last_pk = 0
        while batch := list(
            articles.filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list(*_TEXT_FIELDS)[:batch_size]
        ):
            last_pk = batch[-1][0]
            yield _batch_texts(batch)

    # Written as the bulk import writes them (news.bulk imports this module).
    from .bulk import insert_index_rows

    done = 0
    with worked_ahead(batches(), index_rows, jobs) as worked, transaction.atomic():
        _empty_index()
        for _texts, rows in worked:
            insert_index_rows(rows)
            done += len(rows)
            if progress:
                progress(done, total)
    index_changed()
    refresh_statistics()
    return done


_TEXT_FIELDS = ("pk", "title", "kicker", "subtitle", "summary", "body_text")


def _batch_texts(rows: list[tuple]) -> list[tuple[int, dict]]:
    """(id, ``document_words``' arguments) of articles read as ``_TEXT_FIELDS``:
    what ``_document`` passes for each, in two more queries for the batch (its
    tags and bylines, in their models' order, as a prefetch lists them) and without
    a model instance a row (the ORM's instances and prefetch were most of a 20,000
    article rebuild's serial time)."""
    ids = [row[0] for row in rows]
    tags: dict[int, list[str]] = {pk: [] for pk in ids}
    for pk, name in (
        Article.tags.through.objects.filter(article_id__in=ids)
        .order_by("tag__name", "tag_id")
        .values_list("article_id", "tag__name")
    ):
        tags[pk].append(name)
    names: dict[int, list[str]] = {pk: [] for pk in ids}
    for pk, name in (
        Byline.objects.filter(article_id__in=ids)
        .order_by("order", "id")
        .values_list("article_id", "person__name")
    ):
        names[pk].append(name)
    return [
        (
            pk,
            {
                "title": title,
                "kicker": kicker,
                "subtitle": subtitle,
                "summary": summary,
                "body_text": body_text,
                "tag_names": tags[pk],
                "names": names[pk],
            },
        )
        for pk, title, kicker, subtitle, summary, body_text in rows
    ]


def index_rows(
    rows: list[tuple[int, dict]],
) -> list[tuple[int, str, str, bytes | None]]:
    """The index rows (id, title words, body words, document) of articles given as
    (id, ``document_words``' arguments). No database: run by worker processes.
    ``document``: PostgreSQL's tsvector in binary form, or None (elsewhere, or when
    the server must work it out)."""
    postgres = connection.vendor == "postgresql"
    found = []
    for pk, texts in rows:
        title, body = document_words(**texts)
        found.append(
            (pk, title, body, tsvector_binary(title, body) if postgres else None)
        )
    return found


def _empty_index() -> None:
    """Delete every index row, in the caller's transaction.

    SQLite: the trigger that takes a deleted row out of the FTS5 index (migration
    0003) would cut each old row's words again to remove them one by one (3.7 s of
    CPU for 20,000 rows); it is set aside for the DELETE, the FTS5 index emptied at
    once (``'rebuild'`` over no rows, which also clears entries left behind by
    writes outside the ORM) and the trigger put back as it was. Other connections
    see none of it: the transaction holds the write lock, and a rollback undoes it.
    """
    if connection.vendor != "sqlite":
        ArticleSearch.objects.all().delete()
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            " AND tbl_name = 'news_article_search' AND sql LIKE '% AFTER DELETE %'"
        )
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
        cursor.execute("DELETE FROM news_article_search")
        cursor.execute(
            "INSERT INTO news_article_fts(news_article_fts) VALUES ('rebuild')"
        )
        for _name, sql in triggers:
            cursor.execute(sql)


# --- reading the index ----------------------------------------------------------


@dataclass
class SearchFilters:
    channel_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def apply(self, queryset: QuerySet) -> QuerySet:
        if self.channel_id:
            queryset = queryset.filter(channel_id=self.channel_id)
        tz = timezone.get_current_timezone()
        if self.date_from:
            start = datetime.combine(self.date_from, time.min, tzinfo=tz)
            queryset = queryset.filter(published_at__gte=start)
        if self.date_to:
            end = datetime.combine(
                self.date_to + timedelta(days=1), time.min, tzinfo=tz
            )
            queryset = queryset.filter(published_at__lt=end)
        return queryset


def ranked_candidates() -> int:
    """How many of the newest matches a search ranks (``SearchResults._ranked``)."""
    return int(getattr(settings, "SEARCH_RANKED_CANDIDATES", 1000))


# Stands for the request's time in SQL compiled once (``_hidden_sql``).
_NOW = datetime(2000, 1, 1, tzinfo=UTC)


@cache
def _hidden_sql(vendor: str) -> tuple[str, tuple]:
    """SQL and parameters selecting the ids of published articles not shown now:
    scheduled (not yet due) or expired. Compiled once (the ORM takes ~0.5 ms a
    query); ``_NOW`` in the parameters stands for the time of the search. Two index
    ranges (article_pub_idx, article_expires_idx), no ordering.
    """
    hidden = Article.objects.filter(status=Article.Status.PUBLISHED).filter(
        Q(published_at__gt=_NOW) | Q(expires_at__lte=_NOW)
    )
    sql, params = hidden.order_by().values("id").query.sql_with_params()
    # Parameters come adapted for the database (SQLite: text): so is the stand-in.
    now = connection.ops.adapt_datetimefield_value(_NOW)
    return sql, tuple(_NOW if p == now else p for p in params)


def _id_column() -> str:
    """The article id in the search engine's rows."""
    return "s.article_id" if connection.vendor == "postgresql" else "rowid"


class SearchResults:
    """Ranked ids of matching published articles, sliceable for a Paginator.

    ``count()`` and each page are one query each; the page's articles are fetched by
    ``articles_for`` in one more.
    """

    def __init__(self, query: SearchQuery, filters: SearchFilters | None = None):
        self.query = query
        self.filters = filters or SearchFilters()
        self._count: int | None = None

    def _visibility(self, key: str) -> tuple[str, list]:
        """The SQL condition on ``key`` (an article id) that keeps what may be shown.

        The index holds published articles only (``index_article``); of those, the
        scheduled ones not yet due and the expired ones are hidden. Without filters,
        excluding that handful is far cheaper than testing membership in the list of
        every visible article (20,000 ids at 20,000 articles: ~20 ms a query).
        With a channel or date filter the rule is the published() QuerySet itself.
        Either way, the page's rows are fetched through published() (articles_for).
        """
        if self.filters == SearchFilters():
            sql, params = _hidden_sql(connection.vendor)
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            return f"{key} NOT IN ({sql})", [now if p is _NOW else p for p in params]
        visible = (
            self.filters.apply(Article.objects.published()).order_by().values("id")
        )
        sql, params = visible.query.sql_with_params()
        return f"{key} IN ({sql})", list(params)

    def _engine_sql(self, select: str, order: bool) -> tuple[str, list]:
        article_table = Article._meta.db_table
        if connection.vendor == "postgresql":
            visible_sql, visible_params = self._visibility("s.article_id")
            matches = (
                "FROM news_article_search s "
                "WHERE s.document @@ to_tsquery('simple', %s) "
                f"AND {visible_sql}"
            )
            sql = f"SELECT {select} {matches}"
            params = [self.query.tsquery(), *visible_params]
            if order:
                # The ranking's two title flags, as SQLite's below.
                sql = (
                    f"SELECT c.id FROM (SELECT s.article_id AS id {matches} "
                    "ORDER BY s.article_id DESC LIMIT %s) c "
                    "JOIN news_article_search s ON s.article_id = c.id "
                    f"JOIN {article_table} a ON a.id = c.id "
                    "ORDER BY (s.document @@ to_tsquery('simple', %s)) DESC, "
                    "(s.document @@ to_tsquery('simple', %s)) DESC, "
                    "a.published_at DESC, c.id DESC"
                )
                params += [
                    ranked_candidates(),
                    self.query.tsquery("A"),
                    self.query.any_tsquery("A"),
                ]
        else:
            # The unary + keeps SQLite from handing the id test to the FTS5 table as
            # row-by-row lookups (40x slower).
            visible_sql, visible_params = self._visibility("+rowid")
            sql = (
                f"SELECT {select} FROM news_article_fts "
                "WHERE news_article_fts MATCH %s "
                f"AND {visible_sql}"
            )
            params = [self.query.fts5(), *visible_params]
            if order:
                # Every query word in the title (a match of the title column alone),
                # some (bm25 with the body weighted 0 is below 0 only then), then
                # the newest published: flags both engines compute alike, where
                # bm25 and ts_rank ordered the same matches apart.
                sql = (
                    "SELECT c.id FROM (SELECT rowid AS id, "
                    "bm25(news_article_fts, 1.0, 0.0) < 0 AS in_title "
                    f"FROM news_article_fts WHERE news_article_fts MATCH %s "
                    f"AND {visible_sql} ORDER BY rowid DESC LIMIT %s) c "
                    f"JOIN {article_table} a ON a.id = c.id "
                    "ORDER BY c.id IN (SELECT rowid FROM news_article_fts "
                    "WHERE news_article_fts MATCH %s) DESC, "
                    "in_title DESC, a.published_at DESC, c.id DESC"
                )
                params += [ranked_candidates(), self.query.fts5("title")]
        return sql, params

    def count(self) -> int:
        """How many articles match, from the shared cache when asked lately.

        Counting a common word costs the database every match (19 ms for 19,865
        articles); the same searches come again and again. The cached count is
        forgotten when the index changes (``index_token``), when what readers see
        changes (a publication or withdrawal; an article becoming due or reaching
        its 下线时间 with no write: ``pagecache.next_change``), and after
        SEARCH_COUNT_SECONDS.
        """
        if self._count is None:
            # Keyed on the words, not the SQL: its parameters hold the request's time.
            parts = (self.query.groups, self.filters, index_token())
            self._count = (
                pagecache.shared_current(
                    parts_key("news:search-count", parts),
                    self._count_matches,
                    SEARCH_COUNT_SECONDS,
                    of_articles=True,
                )
                if self.query
                else 0
            )
        return self._count

    def _count_matches(self) -> int:
        sql, params = self._engine_sql(f"COUNT({_id_column()})", order=False)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[Article]:
        if not isinstance(item, slice):
            raise TypeError("SearchResults only supports slicing")
        if not self.query:
            return []
        start = item.start or 0
        stop = item.stop if item.stop is not None else start + 1000
        ids = self._ranked(start, stop)
        if stop > ranked_candidates() and self.count() > ranked_candidates():
            ids += self._newest_first(max(start, ranked_candidates()), stop)
        return articles_for(ids)

    def _ranked(self, start: int, stop: int) -> list[int]:
        """Rows ``start:stop`` of the ``ranked_candidates()`` newest matches, ranked.

        Ranking scores every row it is given; a word like 标准 is in nearly every
        article, and scoring all of them cost 130 ms a query at 20,000 articles. The
        newest matches are ranked (every query word in the title, then some, then
        the rest, each newest published first); older ones follow, newest first
        (``_newest_first``); a date filter reaches further back.
        """
        stop = min(stop, ranked_candidates())
        if start >= stop:
            return []
        sql, params = self._engine_sql(_id_column(), order=True)
        sql += " LIMIT %s OFFSET %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, stop - start, start])
            return [row[0] for row in cursor.fetchall()]

    def _newest_first(self, start: int, stop: int) -> list[int]:
        key = _id_column()
        sql, params = self._engine_sql(key, order=False)
        sql += f" ORDER BY {key} DESC LIMIT %s OFFSET %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, stop - start, start])
            return [row[0] for row in cursor.fetchall()]


def articles_for(ids: list[int]) -> list[Article]:
    """The published articles with ``ids``, in that order, with what results show."""
    if not ids:
        return []
    by_id = {
        a.pk: a
        for a in Article.objects.published()
        .filter(pk__in=ids)
        .select_related("channel", "cover")
        .only(
            "id",
            "title",
            "summary",
            "body_text",
            "source",
            "published_at",
            "channel__name",
            "channel__slug",
            # The result's thumbnail (news/includes/picture.html), in the same row.
            "cover__file",
            "cover__alt_text",
            "cover__is_decorative",
            "cover__renditions",
            "cover__width",
            "cover__height",
        )
    }
    return [by_id[i] for i in ids if i in by_id]


def search(raw: str | None, filters: SearchFilters | None = None) -> SearchResults:
    """The published articles matching ``raw``, best first (title matches first).

    The query is cut with the names the index was cut with (``learn_names``: one
    cheap query), whichever process indexed them.
    """
    if raw and raw.strip():
        learn_names(max_age=NAMES_MAX_AGE)
    return SearchResults(SearchQuery.parse(raw), filters)


RELATED_CANDIDATES = 100
RELATED_WORDS = 4


def title_words(article: Article) -> list[str]:
    """The words of the article's title, as the segmenter cuts it (``cut``).

    The article page reads them from the search-index row it loads with the article
    (``ArticleQuerySet.with_index_title``): cutting the title here would load the
    segmenter's dictionary, about 32 MB, into every process that renders a page. The
    index holds the title in search mode (``tokens``: 国家 标准 国家标准, each word
    after the shorter words inside it), followed by the kicker's words; the words of
    ``cut`` are those not inside the word after them, and only those in the title
    are kept. On the 20,000 articles of the bench data set both ways give the same
    相关新闻 words for every title. Without an index row (the article is not
    published, or the index is being rebuilt) the title is cut here.
    """
    title = fold(article.title).lower()
    stored = getattr(article, "index_title", None)
    if stored is None:
        return _segmenter().cut(title)
    words: list[str] = []
    whole = ""
    for token in reversed(stored.split()):
        if token in whole and len(token) < len(whole):
            continue  # a shorter word inside the next one: search mode's extra
        whole = token
        words.append(token)
    return [w for w in reversed(words) if w in title]


def related_words(article: Article) -> list[str]:
    """The words of the article's title 相关新闻 looks for in other titles: at most
    ``RELATED_WORDS``, the longest first (``title_words`` without digits, one-letter
    and generic words)."""
    words = [
        w
        for w in dict.fromkeys(title_words(article))
        if len(w) >= 2
        and _WORD_RE.fullmatch(w)
        and not w.isdigit()
        and w not in GENERIC_TITLE_WORDS
    ][:8]
    # Ranking costs a pass over the postings of every word, and common words (质量,
    # 服务) are in most titles: the longest words are the most specific ones, and the
    # best of the most recent matches is what a news reader wants anyway. Measured
    # at 20,000 articles: 11 ms with 8 words and 200 candidates, 2.5 ms like this.
    return sorted(words, key=len, reverse=True)[:RELATED_WORDS]


def related_ids_query(
    article: Article, limit: int = 10, *, words: list[str] | None = None
) -> tuple[str, list] | None:
    """SQL selecting ids of articles whose titles share the most words with its title
    (ranked among the ``RELATED_CANDIDATES`` most recent articles sharing any);
    ``words``: its ``related_words`` if the caller has them.

    Returned as SQL to run *inside* another query (the article page's one query for
    上一篇/下一篇/相关新闻), so the automatic 相关新闻 costs no extra round-trip.
    ``news.related.related_ids_from_heads`` gives the same ids from each word's head.
    """
    if words is None:
        words = related_words(article)
    if not words:
        return None
    # The candidates: the RELATED_CANDIDATES most recent articles whose index title
    # holds one of the words. Both engines read the title's words alone (SQLite the
    # FTS5 title column, PostgreSQL ``title_document`` of migration 0015), never
    # the body's. Ranked the same way on both: the candidates' index titles are
    # read (on SQLite a primary-key lookup each) and scored by the length of the
    # words they share, the longer words being the more specific. Not bm25 on
    # SQLite: its weight of each word is the number of articles holding it,
    # counted over the word's whole posting list on every call (5.5 ms a page at
    # 20,000 articles with common words, against 0.5 ms to find the candidates).
    postgresql = connection.vendor == "postgresql"
    find = "strpos" if postgresql else "instr"  # the same function, named twice
    score = " + ".join(
        [f"(CASE WHEN {find}(' ' || s.title || ' ', %s) > 0 THEN %s ELSE 0 END)"]
        * len(words)
    )
    score_params = [p for w in words for p in (f" {w} ", len(w))]
    if postgresql:
        # The candidates' titles read in the same index walk.
        candidates = (
            f"(SELECT article_id AS id, title FROM {ArticleSearch._meta.db_table} "
            "WHERE title_document @@ to_tsquery('simple', %s) AND article_id <> %s "
            f"ORDER BY article_id DESC LIMIT {RELATED_CANDIDATES:d}) s"
        )
        match = " | ".join(_tsquery_word(w) for w in words)
    else:
        candidates = (
            "(SELECT rowid AS id FROM news_article_fts "
            "WHERE news_article_fts MATCH %s AND rowid <> %s "
            f"ORDER BY rowid DESC LIMIT {RELATED_CANDIDATES:d}) recent"
            f" JOIN {ArticleSearch._meta.db_table}"
            " s ON s.article_id = recent.id"
        )
        match = "title : (" + " OR ".join(map(_fts_phrase, words)) + ")"
    return (
        f"SELECT id FROM {candidates} ORDER BY {score} DESC, id DESC LIMIT {limit:d}",
        [match, article.pk, *score_params],
    )


def _tsquery_word(word: str) -> str:
    return "'" + word.replace("'", "''") + "'"


def _fts_phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


# A word's head holds one article more than the candidates: the article asking may
# be among them, and is not its own candidate.
WORD_HEAD_SIZE = RELATED_CANDIDATES + 1


def word_head_query(word: str) -> tuple[str, list]:
    """SQL selecting ``(id, index title)`` of the ``WORD_HEAD_SIZE`` newest index
    rows whose title holds ``word`` (in no order): the word's *head*, the same for
    every article with the word until the index changes (``index_token``)."""
    if connection.vendor == "postgresql":
        return (
            f"SELECT article_id, title FROM {ArticleSearch._meta.db_table} "
            "WHERE title_document @@ to_tsquery('simple', %s) "
            f"ORDER BY article_id DESC LIMIT {WORD_HEAD_SIZE:d}",
            [_tsquery_word(word)],
        )
    return (
        "SELECT s.article_id, s.title FROM (SELECT rowid AS id FROM news_article_fts "
        "WHERE news_article_fts MATCH %s "
        f"ORDER BY rowid DESC LIMIT {WORD_HEAD_SIZE:d}) recent "
        f"JOIN {ArticleSearch._meta.db_table} s ON s.article_id = recent.id",
        [f"title : {_fts_phrase(word)}"],
    )


# --- presenting results ---------------------------------------------------------


def highlight(text: str, query: SearchQuery, width: int = 120) -> SafeString:
    """An escaped excerpt of ``text`` around the first query word, words in <mark>.

    The words are looked for in the folded text (``fold``: the query "gb" marks
    "ＧＢ"), whose positions are those of ``text``; the text is shown as written.
    """
    text = " ".join((text or "").split())
    words = [w for w in query.words if w]
    if not text:
        return mark_safe("")
    folded = fold(text)
    pattern = (
        re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
        if words
        else None
    )
    first = pattern.search(folded) if pattern else None
    start = max(0, first.start() - width // 3) if first else 0
    end = min(start + width, len(text))
    out: list[str] = ["…" if start else ""]
    pos = start
    if pattern:
        # Words side by side in one mark (ISO9001: iso, 9001).
        spans: list[list[int]] = []
        for m in pattern.finditer(folded, start, end):
            if spans and spans[-1][1] == m.start():
                spans[-1][1] = m.end()
            else:
                spans.append([m.start(), m.end()])
        for mark_start, mark_end in spans:
            out.append(escape(text[pos:mark_start]))
            out.append(f"<mark>{escape(text[mark_start:mark_end])}</mark>")
            pos = mark_end
    out.append(escape(text[pos:end]))
    if start + width < len(text):
        out.append("…")
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped
