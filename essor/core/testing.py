"""Assertions shared by every module's tests."""


def assert_page_ok(response, status: int = 200) -> str:
    """The page answered `status` with a complete HTML document."""
    assert response.status_code == status, response.status_code
    html = response.content.decode()
    assert html.lstrip().startswith("<!DOCTYPE html>") and "</html>" in html
    return html
