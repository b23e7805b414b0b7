"""Operations: backups and restores of a whole instance (``flask --app run backup | restore``)."""
