-- "(?<name>[^()]+) \(" lets the name and the following " (" trade the space,
-- and PostgreSQL's capture extraction tries every split: measured 4x slower
-- than "(?<name>[^(]+)\(" (the parser trims the trailing space anyway).
update momo_sms_formats
set pattern = replace(pattern, '(?<name>[^()]+) \(', '(?<name>[^(]+)\(')
where strpos(pattern, '(?<name>[^()]+) \(') > 0;
