import pytest
from django.core.cache import cache

from tests.factories import ArticleFactory, StaffFactory, UserFactory


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, and add the logs of its stack's processes to a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    stack = getattr(item, "funcargs", {}).get("stack")
    if report.failed and stack is not None:
        for process in stack.processes:
            report.sections.append(
                (f"{process.name} log (last lines)", process.log_tail(lines=150))
            )
    return report


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix, tmp_path_factory
):
    """Keep the SQLite test database in a file rather than in memory.

    The integration tests start a real task worker process, which can only
    open a database on disk (PostgreSQL test databases already are).
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        folder = tmp_path_factory.mktemp("database")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")


@pytest.fixture(autouse=True)
def fresh_cache():
    """Start every test with an empty cache.

    Pages, fragments and counters are keyed by ids, and SQLite reuses the ids
    of rolled-back rows, so one test's cached page could otherwise answer the next.
    """
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The production hasher takes about a second per password on a busy CI
    # machine, and every staff factory hashes one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff_user(db):
    return StaffFactory(username="staffer")


@pytest.fixture
def visitor_user(db):
    return UserFactory(username="visitor")


@pytest.fixture
def article(db):
    return ArticleFactory(title="Social Media Experts: Why Organizations Need Them")
