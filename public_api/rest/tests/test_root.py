def test_api_root_links_to_the_schema_docs_and_collections(client, db):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    body = response.json()
    assert body["docs"].endswith("/api/v1/docs/")
    assert body["schema"].endswith("/api/v1/schema/")
    assert body["listings"].endswith("/api/v1/listings/")
    assert client.get(body["listings"]).status_code == 200
