"""IT's policy fails closed (issue 28): what Ally does not understand takes the safe choice
for the feature it was meant for, and `ally doctor` says so and exits non-zero. A blank
value (a Group Policy text box left empty) is unset, not a mistake. Real policy files,
read as Ally reads them; `ally doctor` as a real process."""

from __future__ import annotations

from ally_helpdesk.policy_reader import RegistryText
from desktop.policy.config import Policy
from tests.run_ally import run_ally


def policy_file(tmp_path, text: str) -> Policy:
    path = tmp_path / "policy.toml"
    path.write_text("[network]\nactive_checks = false\n" + text)
    return Policy.load(path)


def test_a_misspelled_key_takes_the_safe_value_of_the_key_it_looks_like(tmp_path):
    policy = policy_file(tmp_path, "[privacy]\nscreenshot = true\n")
    assert policy.privacy.screenshots is False  # the open default would be True
    assert policy.privacy.user_name == "keep"  # the rest of [privacy] as IT wrote it
    (problem,) = policy.problems
    assert "[privacy] screenshot" in problem and "screenshots = False" in problem


def test_a_misspelled_table_takes_its_features_safe_values(tmp_path):
    policy = policy_file(tmp_path, '[Privacy]\nscreenshots = true\nuser_name = "keep"\n')
    p = policy.privacy
    assert (p.screenshots, p.user_name, p.host_name, p.ip_addresses) == (
        False,
        "drop",
        "drop",
        "drop",
    )
    (problem,) = policy.problems
    assert "'Privacy' is not a policy setting Ally knows; it looks like [privacy]" in problem
    # A table Ally cannot place at all: the safe choice of every feature that has one.
    policy = policy_file(tmp_path, "[telemetry]\nsend = true\n")
    assert policy.privacy.screenshots is False and policy.privacy.user_name == "drop"
    assert policy.fixes.enabled is False and policy.network.active_checks is False
    # A feature's table written as a plain value is not understood either.
    assert Policy.from_dict({"privacy": False}).privacy.screenshots is False


def test_fix_switches_of_the_wrong_type_turn_the_fix_off(tmp_path):
    policy = policy_file(tmp_path, '[fixes]\nenabled = "false"\n')
    assert policy.fixes.enabled is False and not policy.fixes.allows("empty_trash")
    policy = policy_file(tmp_path, '[fixes]\nclose_program = "off"\nempty_trash = 0\n')
    assert policy.fixes.enabled is True
    assert not policy.fixes.allows("close_program") and not policy.fixes.allows("empty_trash")
    assert policy.fixes.allows("cancel_print_jobs")  # the others as IT left them
    assert len(policy.problems) == 2 and all("the safe value False" in p for p in policy.problems)


def test_a_blank_value_from_group_policy_is_unset_not_a_problem():
    data = {
        "it_contact": {"email": RegistryText(""), "phone": RegistryText("  ")},
        "network": {"active_checks": False, "ca_bundle": RegistryText("")},
        "transport": {"kind": "folder", "folder": "/srv/ally-reports", "url": RegistryText("")},
    }
    policy = Policy.from_dict(data, "Group Policy")
    assert policy.problems == ()
    assert policy.it_contact.email is None and policy.network.ca_bundle is None


def test_well_written_policies_are_untouched(tmp_path):
    policy = policy_file(
        tmp_path,
        '[privacy]\nscreenshots = true\nuser_name = "hash"\n'
        'hash_key = "a-long-enough-key-for-hashing-names-0123456789"\n'
        "[fixes]\nempty_trash = false\n",
    )
    assert policy.problems == ()
    assert policy.privacy.screenshots is True and policy.privacy.user_name == "hash"
    assert policy.fixes.enabled and not policy.fixes.allows("empty_trash")


def test_doctor_names_the_safe_choice_and_exits_non_zero(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text("[network]\nactive_checks = false\n[privacy]\nscreenshot = true\n")
    done = run_ally("doctor", home=tmp_path / "home", policy=path)
    assert done.returncode != 0
    assert "screenshot is not a setting Ally knows; it looks like screenshots" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_an_unknown_key_that_resembles_none_closes_its_whole_feature(tmp_path):
    """`screenshots_enabled = false` meant "no screenshots" but matches no key closely:
    not understood, so the whole [privacy] takes its safe values, and so on."""
    policy = policy_file(tmp_path, "[privacy]\nscreenshots_enabled = false\n")
    assert policy.privacy.screenshots is False and policy.privacy.user_name == "drop"
    policy = policy_file(tmp_path, "[fixes]\ndisabled = true\n")
    assert policy.fixes.enabled is False
    policy = Policy.from_dict({"network": {"active_probes": False}})
    assert policy.network.active_checks is False
    assert any("active_probes" in p for p in policy.problems)
