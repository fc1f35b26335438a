"""One live data key per owner, even when several processes need an owner's first key at once.

Each process has its own ``DataKeyStore`` (its in-process lock cannot see the others). Two keys for
one owner give two fingerprints of the same file (a re-upload looks changed) and two follow-up-code
tags for one case (a code that finds nothing): found by the race tests of issue 12.
"""

from __future__ import annotations

import threading
import uuid

from keys.encryption.datakeys import DataKeyStore
from trustone.bootstrap import sql_store


def test_processes_that_need_a_first_key_at_once_share_one(services, settings):
    stores = [DataKeyStore(sql_store(settings), services.keyring) for _ in range(6)]
    for _round in range(5):
        owner = uuid.uuid4()
        start = threading.Barrier(len(stores))
        refs: list[str] = []

        def first_key(store: DataKeyStore) -> None:
            start.wait()  # noqa: B023 - called within this iteration
            refs.append(store.current_key(owner)[0])  # noqa: B023 - called within this iteration

        threads = [threading.Thread(target=first_key, args=(store,)) for store in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(refs) == 6
        assert len(set(refs)) == 1, f"{len(set(refs))} keys made for one owner"
        with services.sql.transaction() as cursor:
            live = cursor.execute(
                "SELECT COUNT(*) FROM {schema}.data_keys WHERE owner = %s AND wrapped IS NOT NULL", (str(owner),)
            ).fetchone()[0]
        assert live == 1
    for store in stores:
        store.sql.close()
