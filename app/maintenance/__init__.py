"""Operations: backups and the removal of old personal data (gallring)."""
