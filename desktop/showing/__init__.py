"""What the desktop tells the person between reports, without Qt: the status and its tips,
the ending of a report, when to stay quiet (a screen being shared), and the programs the
person can pick from ("Which program?"). desktop/ui/ draws these."""
