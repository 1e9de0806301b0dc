"""An English study set up as a new user would: ``gtflow init``, then the study's own files.

A hospital's abandoned bedside-tablet app (SYNTHETIC material written for this test): four
interviews (two UTF-8 Markdown, two UTF-16 text files from a Windows tool), a CSV roster without
an administrative level, one post export with handles and profile URLs. Each file hides
identifiers (US and UK phone numbers, English forms of address, e-mails, an SSN) beside ordinary
numbers that must survive (dates, times, amounts, years, a contract number).
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import yaml

#: Identifiers planted in the raw files; none may reach results/ or reports/.
IDENTIFIERS = [
    # US and UK phone numbers (the two fictional ones first) and an international one
    "(555) 013-2291", "5550132291", "(555) 017-4408", "5550174408", "202-555-0173",
    "020 7946 0018", "02079460018", "07700 900123", "+44 7700 900456", "+1 415 555 2671",
    # names on the roster, their forms of address, an extra name, e-mails, an SSN
    "Margaret Smith", "Dr. Smith", "Dr Smith", "Chidi Okafor", "Nurse Okafor", "Okafor",
    "Daniel Reyes", "Mr. Reyes", "Priya Patel", "Ms. Patel", "Officer Brennan", "Brennan",
    "m.smith@stjude-example.org", "reyes.d@example.com", "123-45-6789",
    # post authors and the user ids in their profile URLs
    "night_shift_nurse", "wardclerk_amy", "TabletSkeptic", "8812345678", "janedoe_rn",
]
#: Ordinary numbers written in the same files; all must still be in the clean texts.
SURVIVE = ["2021-03-18", "10:30", "$1,250,000", "$48,000", "1998", "2004", "2019043013820001",
           "18 months", "3,000 patients", "ward 7"]
ROSTER = [
    {"respondent_id": "R01", "name": "Margaret Smith", "aliases": "Maggie Smith", "role": "physician"},
    {"respondent_id": "R02", "name": "Chidi Okafor", "aliases": "", "role": "nurse"},
    {"respondent_id": "R03", "name": "Daniel Reyes", "aliases": "", "role": "IT manager"},
    {"respondent_id": "R04", "name": "Priya Patel", "aliases": "", "role": "nurse"},
]
INTERVIEWS = {
    "N01.md": ("utf-8", "R01", """\
Q: Thank you, Dr. Smith. When did the tablets arrive?

A: They arrived on 2021-03-18, at about 10:30 in the morning. The board had paid $1,250,000 for
them, contract 2019043013820001. I have worked here since 1998, and we had tried a paging system
in 2004 that nobody used either.

Q: Did the patients use the tablets?

A: At first. Call my office on (555) 013-2291 if you need the figures. Nurse Okafor kept a log of
the log-in failures; we had 3,000 patients through ward 7 in 18 months and the tablets froze
every night.

Q: Why was the app abandoned?

A: The logins kept failing and nobody trained the staff. The vendor never came back.
"""),
    "N02.txt": ("utf-16", "R02", """\
Q: Nurse Okafor, how did the tablets change your shifts?

A: Extra work. Every night the logins kept failing, and patients pressed the call button instead.
My cell is (555) 017-4408 and Dr Smith has the other list. The training was one slide deck.

Q: Who decided to stop?

A: Officer Brennan from security took them away after two were stolen. Nobody trained the staff
on the new version, so nobody missed it. For the record my SSN was on the enrolment form:
123-45-6789.
"""),
    "N03.md": ("utf-8", "R03", """\
Q: Mr. Reyes, what did IT see?

A: The logins kept failing because the Wi-Fi on ward 7 dropped. We budgeted $48,000 for access
points and never got them. Write to reyes.d@example.com or ring our London supplier on
020 7946 0018, or their mobile 07700 900123.

Q: Was there training?

A: Nobody trained the staff. The vendor support line was +44 7700 900456.
"""),
    "N04.txt": ("utf-16", "R04", """\
Q: Ms. Patel, what did patients say?

A: They liked the menus but the logins kept failing. Dr. Smith asked me to collect complaints;
send them to m.smith@stjude-example.org. The vendor's US office is +1 415 555 2671, and their
help desk 202-555-0173.

Q: What would you change?

A: Train the staff first. Then fix the Wi-Fi.
"""),
}
POSTS_HEADER = ["id", "url", "date", "author", "text", "parent_id"]
POSTS = [
    ["t1", "https://social.example.com/night_shift_nurse/status/1001", "2021-04-02 22:10",
     "night_shift_nurse", "The bedside tablets froze again, logins kept failing all night.", ""],
    ["t2", "https://social.example.com/u/8812345678?ref=share", "2021-04-03 08:15", "wardclerk_amy",
     "@night_shift_nurse same here, nobody trained the staff on them.", "t1"],
    ["t3", "https://forum.example.org/thread/77?uid=8812345678", "2021-05-11 12:00", "TabletSkeptic",
     "Another hospital app abandoned after 18 months. See https://social.example.com/@janedoe_rn/42",
     ""],
]
CODEBOOK = {
    "version": 1, "language": "en",
    "core": {"id": "CORE", "label": "Technology dropped onto the ward",
             "definition": "An app bought without the ward ends up unused."},
    "main_categories": [
        {"id": "AA1", "label": "Purchase without the ward", "definition": "Decided above the ward."},
        {"id": "AA2", "label": "Everyday failure", "definition": "What broke in daily use."},
        {"id": "AA3", "label": "Abandonment", "definition": "How the app was dropped."}],
    "categories": [
        {"id": "A1", "parent": "AA1", "label": "No training", "definition": "Staff were not trained."},
        {"id": "A2", "parent": "AA2", "label": "Technical failure", "definition": "Logins, Wi-Fi."},
        {"id": "A3", "parent": "AA3", "label": "Withdrawal", "definition": "The app was stopped."}],
    "concepts": [
        {"id": "a1", "parent": "A1", "label": "Nobody trained the staff", "definition": "No training.",
         "rules": {"any": ["nobody trained the staff", "no training", "one slide deck"]}},
        {"id": "a2", "parent": "A2", "label": "Logins failing", "definition": "Log-in failures.",
         "rules": {"any": ["logins kept failing", "log-in failures"]}},
        {"id": "a3", "parent": "A2", "label": "Wi-Fi gaps", "definition": "The network dropped.",
         "rules": {"any": ["wi-fi"]}},
        {"id": "a4", "parent": "A3", "label": "App abandoned", "definition": "The app was dropped.",
         "rules": {"any": ["abandoned", "took them away", "never came back"]}}],
}
MODEL_AS_OBJECTS = {
    "layers": [{"id": "condition", "label": "Condition"}, {"id": "mechanism", "label": "Mechanism"},
               {"id": "outcome", "label": "Outcome"}],
    "nodes": [{"id": "AA1", "layer": "condition"}, {"id": "AA2", "layer": "mechanism"},
              {"id": "AA3", "layer": "outcome"}],
    "edges": [{"from": "AA1", "to": "AA2", "relation": "leaves untrained staff with"},
              {"from": "AA2", "to": "AA3", "relation": "ends in"}],
    "storyline": "", "recommendations": [],
}
#: The same model as a person writes it: layers as plain ids, a title and a description.
MODEL_AS_STRINGS = {
    "title": "Why the bedside tablets were abandoned",
    "description": "From the purchase to the withdrawal of the app.",
    **MODEL_AS_OBJECTS,
    "layers": ["condition", "mechanism", "outcome"],
}


def gtflow(*args: str) -> subprocess.CompletedProcess:
    """Run the ``gtflow`` command (the installed entry point's module) in a subprocess."""
    return subprocess.run([sys.executable, "-m", "gtflow.cli", *args], capture_output=True,
                          text=True, check=False, timeout=300)


def write_yaml(path: Path, value: dict) -> None:
    path.write_text(yaml.safe_dump(value, allow_unicode=True, sort_keys=False), encoding="utf-8")


def build_english_study(root: Path, model: dict) -> Path:
    """``gtflow init`` a study in ``root`` and write the study's own files into it."""
    init = gtflow("init", str(root), "--name", "tablets")
    if init.returncode != 0:
        raise AssertionError(f"gtflow init failed: {init.stderr}")
    write_yaml(root / "config" / "codebook.yaml", CODEBOOK)
    write_yaml(root / "config" / "model.yaml", model)
    config_path = root / "config" / "config.yaml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["clean"]["extra_names"] = ["Officer Brennan", "Brennan"]
    config["clean"]["extra_patterns"] = {
        "us_ssn": {"pattern": r"\b\d{3}-\d{2}-\d{4}\b", "placeholder": "[SSN]"}}
    config["saturation"]["base_size"] = 2
    config["saturation"]["run_length"] = 1
    write_yaml(config_path, config)
    raw = root / "data" / "raw"
    for name, (encoding, respondent, body) in INTERVIEWS.items():
        front = (f"---\nid: {Path(name).stem}\ndate: 2021-06-0{name[2]}\nrespondent: {respondent}\n"
                 f"interviewer: INT-1\nlocation: St Jude's ward 7\n---\n")
        (raw / "interviews" / name).write_bytes((front + body).encode(encoding))
    with open(raw / "respondents.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(ROSTER[0]))
        writer.writeheader()
        writer.writerows(ROSTER)
    with open(raw / "web" / "posts" / "social.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(POSTS_HEADER)
        writer.writerows(POSTS)
    return root
