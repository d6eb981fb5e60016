"""The batch story at 800 px (issue 19): the "Changes" column wraps, so the story table fits its container and the
page does not scroll sideways — in English (the longer words) and in Chinese. Screenshots under
test-artefacts/browser/batch-story-800/."""

import pytest

from tests.story.conftest import walk_batch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_story_table_fits_at_800_px(journey, language, production_user, qc_user, qa_user, admin_user,
                                        regulatory_user, auditor_user, user_factory):
    walked = walk_batch(production_user=production_user, qc_user=qc_user, qa_user=qa_user, admin_user=admin_user,
                        releaser=user_factory("qa2", "QA", first_name="Li", last_name="Na"),
                        regulatory_user=regulatory_user)
    story = journey("batch-story-800", language, 800)
    story.sign_in("auditor")
    story.goto(f"/production/batches/{walked.batch.lot_number}/story/")
    page = story.page
    assert page.locator("main table tbody tr").count() > 10
    story.shot("story")
    sizes = page.evaluate("""() => {
        const table = document.querySelector('main .table-responsive > table');
        const box = table.parentElement;
        return {table: table.scrollWidth, box: box.clientWidth, page: document.documentElement.scrollWidth,
                view: document.documentElement.clientWidth};
    }""")
    assert sizes["table"] <= sizes["box"], sizes
    assert sizes["page"] <= sizes["view"], sizes
