from projects import demo
from projects.models import Project


def test_demo_is_idempotent(db):
    from accounts import demo as accounts_demo

    accounts_demo.seed()
    demo.seed()
    demo.seed()
    assert Project.objects.count() == 3
    odense = Project.objects.get(title="Træning som hjælp")
    m = odense.criteria.get().measurements.get()
    assert (m.men_count, m.men_n, m.women_count, m.women_n) == (71, 100, 64, 200)
