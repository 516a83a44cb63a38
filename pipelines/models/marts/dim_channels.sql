SELECT * FROM ref_channels ORDER BY is_digital, channel
