"""The pages: each role sees its forms, the forms call the actions, refusals show as messages."""

from django.core.files.uploadedfile import SimpleUploadedFile

from dxmonitor.assessment.models import Entry, Evidence

from .conftest import PASSWORD, PDF


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_a_unit_fills_and_an_appraiser_adjusts_through_the_pages(client, opened, units, people):
    unit = units[0]
    page = f"/assessment/{opened.pk}/units/{unit.pk}/"
    login(client, people["specialist1"])
    shown = client.get(page)
    assert shown.status_code == 200
    text = shown.content.decode()
    assert "Đo trên hệ thống" in text and 'data-form="figure"' in text and "Gửi bản tự đánh giá" not in text
    client.post(page + "figure/", {"component": "NT.3.3", "figure": "85%"})
    assert Entry.objects.get(sheet__unit=unit, component__code="NT.3.3").figure == 85.0
    refused = client.post(page + "figure/", {"component": "NT.3.3", "figure": "nhiều"}, follow=True)
    assert "không phải là số" in refused.content.decode()
    client.post(
        page + "evidence/",
        {
            "component": "NT.3.3",
            "number": "7/BC-UBND",
            "abstract": "Thuê bao cáp quang",
            "file": SimpleUploadedFile("a.pdf", PDF),
        },
    )
    assert Evidence.objects.get(entry__component__code="NT.3.3", entry__sheet__unit=unit).file_name == "a.pdf"
    client.logout()
    login(client, people["approver1"])
    refused = client.post(page + "submit/", follow=True).content.decode()
    assert "NT.1.1" in refused and "chưa có số liệu" in refused
    # English for those who switch.
    client.cookies["dxm_language"] = "en"
    english = client.get(page).content.decode()
    assert "Measured by the system" in english and "Submit the self-assessment" in english


def test_round_pages_and_the_list(client, opened, people):
    login(client, people["organiser"])
    assert opened.title in client.get("/assessment/").content.decode()
    text = client.get(f"/assessment/{opened.pk}/").content.decode()
    assert "Thẩm định theo sở, ngành" in text and "Văn phòng UBND tỉnh" in text
    refused = client.post(f"/assessment/{opened.pk}/close/", follow=True).content.decode()
    assert "chưa gửi bản tự đánh giá" in refused
    client.logout()
    # Not published: nobody outside sees it.
    assert client.get(f"/assessment/{opened.pk}/").status_code == 404


def test_published_rounds_are_listed_for_everyone(client, opened, people):
    from dxmonitor.assessment.models import Round, Stage

    assert opened.title not in client.get("/assessment/").content.decode()
    # Published rounds are public; the portal and the dashboard link to them.
    Round.objects.filter(pk=opened.pk).update(stage=Stage.PUBLISHED)
    listed = client.get("/assessment/").content.decode()
    assert opened.title in listed and "Mở đợt đánh giá" not in listed
    assert "/assessment/" in client.get("/public/").content.decode()
    shown = client.get(f"/assessment/{opened.pk}/").content.decode()
    assert "Xếp hạng chính thức" in shown
