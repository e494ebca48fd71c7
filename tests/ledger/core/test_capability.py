"""What a capability hands over: a name, its models, and optional jobs, demo part, follow-ups."""

import dataclasses

import pytest

from ledger import core, earning
from ledger.core import models
from ledger.core.capability import Capability


def test_a_capability_needs_only_a_name_and_its_models():
    """Jobs, demo part and reversal follow-ups default to nothing."""
    bare = Capability(name="ledger-lite", models=models)
    assert (bare.jobs, bare.demo_part, dict(bare.reversal_followups)) == ((), None, {})


def test_what_a_capability_hands_over_cannot_be_changed_afterwards():
    """The record is frozen, so no capability can rewrite another's part later."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        core.CAPABILITY.name = "renamed"


def test_core_hands_over_its_models_and_earning_its_jobs_and_followups():
    """core brings the journal's tables and forgets old form tokens; earning brings the vesting
    sweep and voids awards."""
    assert core.CAPABILITY.models is models
    assert [name for name, _ in core.CAPABILITY.jobs] == ["forget_old_form_submissions"]
    assert earning.CAPABILITY.models.__name__ == "ledger.earning.models"
    assert all(callable(job) for _, job in earning.CAPABILITY.jobs)
    assert "award" in earning.CAPABILITY.reversal_followups
