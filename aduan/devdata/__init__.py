"""Development and benchmark data: never needed, and not installed, in production.

- `manage.py seed_demo`: the demo government of Kabupaten Kutai Timur, its staff and
  citizen accounts and a few hundred reports, built through the real domain actions with
  the clock passed in (`make run`);
- `manage.py generate_reports`: a million realistic reports written in bulk for the
  benchmarks (`make bench`), with the real hash chain and deadline rules;
- `demo_data.py`: the corpora both draw from (agencies, places, stories).

The app is in INSTALLED_APPS only when `DEVDATA_ENABLED` is on, which it is by default
exactly when DEBUG is. The domain apps never import it; it depends on them, not the
other way round.
"""
