import pytest
from django.contrib.auth import get_user_model

from .helpers import load


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(
        username="admin_pusat", email="admin@example.go.id", password="kata-sandi-uji-123"
    )


@pytest.mark.django_db
class TestRegionAdmin:
    def test_an_outsider_is_sent_to_the_login_page(self, client):
        response = client.get("/admin/regions/region/")

        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]

    def test_a_code_prefix_search_lists_the_regency_and_what_is_in_it(self, client, superuser):
        load()
        client.force_login(superuser)

        response = client.get("/admin/regions/region/", {"q": "64.08"})

        assert response.status_code == 200
        assert response.context["cl"].result_count == 10  # 64.08, its 3 districts and 6 villages
        assert "Kabupaten Kutai Timur" in response.text

    def test_the_lists_filter_by_level_and_source(self, client, superuser):
        load()
        client.force_login(superuser)

        regions = client.get("/admin/regions/region/", {"level__exact": 2})
        places = client.get("/admin/regions/geoplace/", {"source__exact": "geonames:cities1000"})

        assert regions.context["cl"].result_count == 6
        assert places.context["cl"].result_count == 7
        assert client.get("/admin/regions/region/64.08.04/change/").status_code == 200
