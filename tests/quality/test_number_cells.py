"""One reading of an observation's number cell on every write path: the bulk
import (批量导入), django-import-export's 导入, the admin's add form and 更正, and
the API's create. The same text gives the same value, or the same refusal (in
Chinese, saying what to write instead) with nothing written, whichever path it
comes by (quality.cells.read_number)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from news.models import AuditLog
from quality.admin import import_failures
from quality.bulk_import import observations_import
from quality.models import Indicator, Observation, Period, Region
from tests.api import token_for, user_with_perms
from tests.factories import UserFactory

from .factories import (
    IndicatorFactory,
    ObservationFactory,
    PeriodFactory,
    RegionFactory,
    UnitFactory,
)

COUNTED = "standards_national"  # unit 项
PERCENT = "pass_rate"  # unit %
TEN_THOUSANDS = "output"  # unit 万元

# (text, indicator, value read) — or the refusal's words instead of a value.
READ = [
    ("1700", COUNTED, Decimal(1700)),
    ("1,700", COUNTED, Decimal(1700)),
    ("1，700", COUNTED, Decimal(1700)),
    ("1 700", COUNTED, Decimal(1700)),
    ("1\u00a0700", COUNTED, Decimal(1700)),  # no-break space
    ("1\u2009700", COUNTED, Decimal(1700)),  # thin space
    ("1\u202f700.5", COUNTED, Decimal("1700.5")),  # narrow no-break space
    ("12 345 678", COUNTED, Decimal(12345678)),
    ("－5", COUNTED, Decimal(-5)),
    ("97%", PERCENT, Decimal(97)),
    ("97.5％", PERCENT, Decimal("97.5")),
    ("一千七百", COUNTED, Decimal(1700)),
    ("1.7万", COUNTED, Decimal(17000)),
    ("两万", COUNTED, Decimal(20000)),
]
REFUSED = [
    ("97%", COUNTED, "是百分数，但该指标的单位是“项”"),
    ("1.7万", TEN_THOUSANDS, "单位已是“万元”"),
    ("约1700", COUNTED, "数值列只填数字"),
    ("超过97%", PERCENT, "数值列只填数字"),
    ("1700余", COUNTED, "数值列只填数字"),
    ("—", COUNTED, "表示无数据"),
    ("17，00", COUNTED, "不是数字"),
    ("1 7000", COUNTED, "不是数字"),
    ("1  700", COUNTED, "不是数字"),
    ("abc", COUNTED, "不是数字"),
    ("NaN", COUNTED, "不是数字"),
]


@pytest.fixture
def cells(db):
    IndicatorFactory(code=COUNTED)
    IndicatorFactory(code=PERCENT, unit=UnitFactory(symbol="%"))
    IndicatorFactory(code=TEN_THOUSANDS, unit=UnitFactory(symbol="万元"))
    RegionFactory()
    return PeriodFactory()  # @2020-12-31


ROW = {
    "region": "370600",
    "period": "@2020-12-31",
    "comparator": "=",
    "raw_text": "原文",
    "source_publisher": "烟台市市场监督管理局",
    "source_title": "质量工作统计",
}


def csv_upload(indicator: str, text: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    row = {"indicator": indicator, "value": text, **ROW}
    writer.writerow(row.keys())
    writer.writerow(row.values())
    return out.getvalue().encode()


def state():
    return (
        list(Observation.objects.order_by("id").values_list("id", "value", "status")),
        Period.objects.count(),
        AuditLog.objects.count(),
    )


def superuser():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


# Each path: the value written, or the refusal's text (nothing written).


def by_bulk_import(indicator, text):
    result = observations_import(io.BytesIO(csv_upload(indicator, text)), name="o.csv")
    if result.ok:
        return Observation.objects.latest("id").value
    return " ".join(e.message for e in result.errors if e.column == "value")


def by_import_export(indicator, text, client):
    upload = SimpleUploadedFile("o.csv", csv_upload(indicator, text))
    response = client.post(
        reverse("admin:quality_observation_import"),
        {"import_file": upload, "format": "0", "resource": "0"},
    )
    assert response.status_code == 200
    if "confirm_form" not in response.context:
        return " ".join(import_failures(response.context["result"]))
    confirm = response.context["confirm_form"].initial
    response = client.post(reverse("admin:quality_observation_process_import"), confirm)
    assert response.status_code == 302
    return Observation.objects.latest("id").value


def by_admin_add(indicator, text, client):
    data = {
        **ROW,
        "indicator": Indicator.objects.get(code=indicator).pk,
        "region": Region.objects.get().pk,
        "period": Period.objects.get(code="@2020-12-31").pk,
        "value": text,
        "status": "provisional",
    }
    response = client.post(reverse("admin:quality_observation_add"), data)
    if response.status_code == 302:
        return Observation.objects.latest("id").value
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "value" in form.errors, form.errors
    return " ".join(form.errors["value"])


def by_admin_correct(indicator, text, client):
    saved = Observation.objects.get(indicator__code=indicator, raw_text="旧值")
    data = {
        "value": text,
        "comparator": "=",
        "raw_text": "原文",
        "source_publisher": ROW["source_publisher"],
        "source_title": ROW["source_title"],
        "note": "据年报更正",
    }
    url = reverse("admin:quality_observation_correct", args=[saved.pk])
    response = client.post(url, data)
    if response.status_code == 302:
        return Observation.objects.latest("id").value
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "value" in form.errors, form.errors
    return " ".join(form.errors["value"])


def by_api(indicator, text, client):
    body = {"indicator": indicator, "value": text, **ROW}
    response = client.post("/api/v1/observations/", body, format="json")
    if response.status_code == 201:
        return Decimal(response.json()["value"])
    assert response.status_code == 400, response.content
    return " ".join(response.json()["value"])


PATHS = {
    "bulk_import": by_bulk_import,
    "import_export": by_import_export,
    "admin_add": by_admin_add,
    "admin_correct": by_admin_correct,
    "api": by_api,
}


def prepare(path, indicator):
    """The client of ``path`` (a staff user with every permission, or an API
    token with add_observation); 更正 needs a saved observation to correct."""
    if path == "bulk_import":
        return None
    if path == "api":
        return api_client()
    client = Client()
    client.force_login(superuser())
    if path == "admin_correct":
        ObservationFactory(
            indicator=Indicator.objects.get(code=indicator),
            period=Period.objects.get(code="@2020-12-31"),
            raw_text="旧值",
        )
    return client


def write(path, indicator, text, client):
    if client is None:
        return PATHS[path](indicator, text)
    return PATHS[path](indicator, text, client)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(("text", "indicator", "expected"), READ)
def test_the_same_text_is_the_same_value_on_every_path(
    cells, path, text, indicator, expected
):
    client = prepare(path, indicator)
    assert write(path, indicator, text, client) == expected


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(("text", "indicator", "refusal"), REFUSED)
def test_the_same_text_is_the_same_refusal_on_every_path(
    cells, path, text, indicator, refusal
):
    client = prepare(path, indicator)
    before = state()
    message = write(path, indicator, text, client)
    assert isinstance(message, str), message
    assert refusal in message
    assert "十进制" not in message  # never Django's generic "十进制数字"
    assert state() == before  # nothing written; a corrected row not 已修订


def api_client():
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION="Token "
        + token_for(user_with_perms("client", "quality.add_observation"))
    )
    return client


@pytest.mark.parametrize(
    ("text", "indicator", "refusal"),
    [r for r in REFUSED if r[0] != "—"],
)
def test_bounds_are_read_as_the_value(cells, text, indicator, refusal):
    """lower and upper go through the same reader (an empty mark is no bound)."""
    row = {"indicator": indicator, "value": "1800", **ROW, "comparator": ">"}
    client = api_client()
    for bound in ("lower", "upper"):
        data = {**row, bound: text}
        response = client.post("/api/v1/observations/", data, format="json")
        assert response.status_code == 400
        assert refusal in " ".join(response.json()[bound])
    assert not Observation.objects.exists()


def test_api_no_data_mark_is_an_empty_bound_and_json_numbers_stay_numbers(cells):
    client = api_client()
    body = {"indicator": COUNTED, **ROW, "comparator": ">", "value": 1800}
    response = client.post(
        "/api/v1/observations/", {**body, "lower": "—", "upper": 1900.5}, format="json"
    )
    assert response.status_code == 201, response.content
    saved = Observation.objects.get()
    assert (saved.value, saved.lower, saved.upper) == (
        Decimal(1800),
        None,
        Decimal("1900.5"),
    )
    # A JSON boolean is no number.
    response = client.post(
        "/api/v1/observations/", {**body, "value": True}, format="json"
    )
    assert response.status_code == 400
    assert Observation.objects.count() == 1
