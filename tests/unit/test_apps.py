import pytest
import tomllib

from desktop.base.resources_access import read_text
from desktop.diagnostics.apps import BACKGROUND_KINDS, AppCatalog, default_catalog


@pytest.mark.parametrize(
    ("executable", "name", "background"),
    [
        ("chrome.exe", "Google Chrome", None),
        ("Google Chrome Helper (Renderer)", "Google Chrome", None),
        ("OUTLOOK.EXE", "Microsoft Outlook", None),
        ("ms-teams.exe", "Microsoft Teams", None),
        ("MsMpEng.exe", "Microsoft Defender", "antivirus"),
        ("TiWorker.exe", "Windows Update", "update"),
        ("mds_stores", "Spotlight indexing", "indexing"),
        ("backupd", "Time Machine backup", "backup"),
        ("OneDrive.exe", "Microsoft OneDrive", "sync"),
        ("tracker-miner-fs-3", "File search indexing", "indexing"),
        ("unattended-upgr", "System updates", "update"),
    ],
)
def test_known_programs_get_the_name_people_know(executable, name, background):
    ident = default_catalog().identify(executable)
    assert ident.name == name
    assert ident.background == background


def test_unknown_programs_keep_their_own_name_without_exe():
    ident = default_catalog().identify("Contoso Billing.exe")
    assert ident.name == "Contoso Billing"
    assert ident.app_id == "exe:contoso billing"
    assert ident.background is None


def test_table_is_valid_and_ids_unique():
    entries = tomllib.loads(read_text("apps.toml"))["app"]
    ids = [e["id"] for e in entries]
    assert len(ids) == len(set(ids))
    for e in entries:
        assert e["name"] and e["match"]
        assert e.get("background") in (None, *BACKGROUND_KINDS)


def test_a_wrong_background_kind_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="background must be one of"):
        AppCatalog([{"id": "x", "name": "X", "background": "mining", "match": ["x"]}])
