-- What the landing zone holds that was not read, and why: symbolic links (never
-- followed), sub-folders, named pipes, sockets, devices, temporary names, files
-- that vanished or changed while the run read them. As each source's last run saw it.
SELECT source, file_name, reason, run_id
FROM skipped_files ORDER BY source, file_name
