"""What every part of the desktop stands on: its folders (paths.py), reading a file safely,
its resources, and the words (words.py, naming ally_words' functions)."""
