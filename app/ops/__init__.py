"""Operations: backups and restores of a whole instance (``flask --app run backup | restore``);
the sweep of orphaned upload files lives in app.storage.sweep (``flask --app run sweep-uploads``)."""
