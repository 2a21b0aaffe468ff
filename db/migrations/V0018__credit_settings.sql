-- Settings for SMS credit reservations. Change one with
-- select setting_set(key, value, reason) (audited), never in the functions.
insert into app_settings (key, value, default_value, value_type, description) values
(
    'CREDITS_RESERVATION_TTL', '48 hours', '48 hours', 'interval',
    'How long a credit reservation holds credits when credit_reserve() is given no expiry; '
    'capped at CREDITS_RESERVATION_MAX_AGE.'
),
(
    'CREDITS_RESERVATION_MAX_AGE', '48 hours', '48 hours', 'interval',
    'The credits-reconcile job expires any active reservation older than this, whatever its '
    'expiresAt (the runbook''s "older than 48 hours"); no reservation may be made for longer.'
),
(
    'CREDITS_ALERT_EXPIRED_THRESHOLD', '10', '10', 'integer',
    'monitoring.credit_reservation_stats alert_expired: fires when more than this many active '
    'reservations are past their expiry (the runbook''s credit_reservations_expired > 10).'
);
