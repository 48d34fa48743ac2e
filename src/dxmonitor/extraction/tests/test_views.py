"""The review pages: upload or paste, evidence highlighted, accept, correct, reject, accept all."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dxmonitor.collection.models import Value
from dxmonitor.extraction.models import FactStatus, ProposedFact

REPORT = (
    "Huyện Tủa Chùa đẩy mạnh chuyển đổi số\n"
    "Đến nay 98% cán bộ, công chức được trang bị máy tính; tỷ lệ hộ gia đình kết nối internet băng rộng "
    "đạt 31,5%."
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, admin):
    client.force_login(admin)
    return client


def test_queue_needs_login(client):
    response = client.get("/extract/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_paste_read_and_review(signed_in):
    response = signed_in.post("/extract/read/", {"text": REPORT, "title": "Báo cáo thử"}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Báo cáo thử" in html
    assert html.count('class="proposal pending"') == 2
    assert "<mark" in html and "31,5%" in html
    # Each proposal says why: which reading, and the catalogue phrasing the words matched.
    assert html.count('class="why sub"') == 2
    assert "Lý do:" in html and "các từ đứng trước số liệu cho biết nó đo gì" in html
    queue = signed_in.get("/extract/").content.decode()
    assert "Báo cáo thử" in queue
    assert 'href="/api/v1/extraction/documents"' in queue


def test_upload_a_file_and_bad_files_get_a_message(signed_in):
    upload = SimpleUploadedFile("baocao.txt", REPORT.encode())
    response = signed_in.post("/extract/read/", {"file": upload}, follow=True)
    assert response.status_code == 200
    assert ProposedFact.objects.count() == 2
    binary = SimpleUploadedFile("hong.txt", bytes(range(256)) * 10)
    refused = signed_in.post("/extract/read/", {"file": binary}, follow=True).content.decode()
    assert "không phải văn bản" in refused
    nothing = signed_in.post("/extract/read/", {"text": "  "}, follow=True).content.decode()
    assert 'class="messages"' in nothing


def test_accept_correct_reject_and_accept_all(signed_in):
    signed_in.post("/extract/read/", {"text": REPORT})
    first, second = ProposedFact.objects.order_by("position")
    signed_in.post(f"/extract/facts/{first.pk}/edit/", {"value": "97", "then": "save"})
    first.refresh_from_db()
    assert (first.value, first.status, first.edited) == (97, FactStatus.PENDING, True)
    signed_in.post(f"/extract/facts/{first.pk}/accept/")
    first.refresh_from_db()
    assert first.status == FactStatus.ACCEPTED
    assert Value.objects.get(pk=first.recorded_value_id).value == 97
    refused = signed_in.post(
        f"/extract/facts/{second.pk}/edit/", {"value": "131", "then": "accept"}, follow=True
    ).content.decode()
    assert "100" in refused
    signed_in.post(f"/extract/facts/{second.pk}/reject/")
    second.refresh_from_db()
    assert second.status == FactStatus.REJECTED
    response = signed_in.post(f"/extract/documents/{first.document_id}/accept/", follow=True)
    assert response.status_code == 200
    assert ProposedFact.objects.filter(status=FactStatus.PENDING).count() == 0


def test_a_corrected_figure_keeps_its_thousands_through_the_form(signed_in):
    signed_in.post("/extract/read/", {"text": REPORT})
    fact = ProposedFact.objects.order_by("position").first()
    url = f"/extract/facts/{fact.pk}/edit/"
    signed_in.post(url, {"value": "1.234.567", "numerator": "1.234", "denominator": "95,25", "then": "save"})
    fact.refresh_from_db()
    assert (fact.value, fact.numerator, fact.denominator) == (1234567, 1234, 95.25)
    page = signed_in.get(f"/extract/documents/{fact.document_id}/").content.decode()
    assert 'name="value" value="1.234.567"' in page  # not 1.23457e+06
    assert 'name="numerator" value="1.234"' in page
    assert 'name="denominator" value="95,25"' in page
    # Saved again as the form shows it, nothing moves.
    signed_in.post(url, {"value": "1.234.567", "numerator": "1.234", "denominator": "95,25", "then": "save"})
    fact.refresh_from_db()
    assert (fact.value, fact.numerator, fact.denominator) == (1234567, 1234, 95.25)
