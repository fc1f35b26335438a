"""The verification register is read by every linked-list search, so it is snapshotted (every 50
events): its marks and rounds must come back the same from a snapshot, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

from registry.domain.verification import VerificationRegister


def test_the_register_reads_back_the_same_through_its_snapshots(services):
    registry = services.registry
    register = VerificationRegister()
    rounds = [uuid.uuid4() for _ in range(3)]
    for number, round_id in enumerate(rounds):
        register.add(round_id=round_id, year=2022 + number)
    marks = [f"mark-{number:03d}" for number in range(120)]
    for mark in marks:
        register.mark_verified(tag=mark)
        registry.save(register)
    assert registry.snapshots is not None and list(registry.snapshots.get(VerificationRegister.ID))  # snapshotted
    again = registry.repository.get(VerificationRegister.ID)
    assert again.verified == marks
    assert [(uuid.UUID(str(r)), year) for r, year in again.rounds] == list(zip(rounds, [2022, 2023, 2024], strict=True))
