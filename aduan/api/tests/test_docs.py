"""The OpenAPI schema and the browsable docs work without the internet."""

import json
import re

from django.test import Client


def test_the_openapi_schema_describes_every_operation():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/reports", "/api/v1/reports/{key}/timeline", "/api/v1/regions"} <= set(
        schema["paths"]
    )
    create = schema["paths"]["/api/v1/reports"]["post"]
    assert set(create["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert create["security"] == [{"ApiKey": []}, {"Session": []}]
    assert "ErrorOut" in schema["components"]["schemas"]


def test_the_schema_has_no_duplicate_keys():
    # Swagger UI refuses a document with a key twice (e.g. status 200 as int and as text).
    def no_duplicates(pairs):
        keys = [key for key, _ in pairs]
        assert len(keys) == len(set(keys)), keys
        return dict(pairs)

    json.loads(Client().get("/api/v1/openapi.json").content, object_pairs_hook=no_duplicates)


def test_the_docs_page_references_only_local_urls():
    client = Client()
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, html
    for url in urls:
        assert url.startswith("/api/v1/"), url
        assert client.get(url).status_code == 200, url
    assert "//" not in "".join(urls)
    assert "cdn" not in html.lower()


def test_the_swagger_script_calls_no_outside_server():
    script = b"".join(Client().get("/api/v1/docs/assets/docs.js").streaming_content).decode()
    assert "validatorUrl: null" in script
    assert Client().get("/api/v1/docs/assets/../settings.py").status_code == 404


def test_swagger_ui_renders_the_operations_without_the_internet(page, live_server):
    outside = []

    def only_local(route):
        url = route.request.url
        if url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", only_local)
    page.goto("/api/v1/docs")
    page.get_by_text("Daftar laporan / List reports").wait_for()
    assert page.get_by_text("Kirim laporan / Submit a report").is_visible()
    assert outside == []
