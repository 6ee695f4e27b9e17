import pytest

from tests.factories import ArticleFactory, StaffFactory, UserFactory


@pytest.fixture
def staff_user(db):
    return StaffFactory(username="staffer")


@pytest.fixture
def visitor_user(db):
    return UserFactory(username="visitor")


@pytest.fixture
def article(db):
    return ArticleFactory(title="Social Media Experts: Why Organizations Need Them")
