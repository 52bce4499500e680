//! Offline fixes (`--fix`): text edits on files that parsed. Placeholder filled below.
