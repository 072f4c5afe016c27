from tests.web_fixture.server import test_web  # noqa: F401
