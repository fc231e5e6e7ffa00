# clinicflow interface text: English. Every key here must also be in es.ftl
# (a unit test checks). Patient-facing text: short sentences, plain words.

language-name = English
# How a date of birth is typed on the keypad: mdy or dmy.
date-order = mdy
date-placeholder = MM / DD / YYYY
# 12 or 24 hour clock.
clock = 12

weekday-1 = Monday
weekday-2 = Tuesday
weekday-3 = Wednesday
weekday-4 = Thursday
weekday-5 = Friday
weekday-6 = Saturday
weekday-7 = Sunday
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
long-date = { $weekday }, { $month } { $day }

kiosk-title = Check in
switch-language = Cambiar a español
welcome-heading = Welcome to { $clinic }
welcome-lead = Scan the QR code on your appointment reminder.
scan-label = Scan or type your check-in code
scan-hint = Hold your reminder under the scanner, or type the code and press Enter.
scan-submit = Check in with this code
no-code = I don't have my code
walk-in = I don't have an appointment
back = Back
start-over = Start over
done = Done
continue = Continue
one-moment = One moment…

dob-heading = Please enter your date of birth
dob-lead = Use the keypad. Example: { $example }
dob-example = 04 / 01 / 1950 for April 1, 1950
dob-clear = Clear
dob-delete = Delete the last digit
dob-keypad = Date of birth keypad; the digits can be typed too
dob-incomplete = Please enter all 8 digits.
dob-not-a-date = That is not a real date. Please check it.
dob-out-of-range = Please check the year.

find-heading = Find my appointment
find-lead = Type your last name, then your date of birth.
last-name = Last name
first-name = First name
name-required = Please type your name.
choose-heading = Which appointment is yours?
choice = { $time } with { $provider }

walk-in-heading = Walk-in visit
walk-in-lead = Type your name, then your date of birth.
reason-heading = What brings you in today?
reason-illness = Illness (fever, cough, sore throat)
reason-injury = Injury
reason-refill = Prescription refill
reason-results = Test results
reason-other = Something else

your-number = Your number
have-a-seat = Please have a seat. We will call your number.
wait-ahead = { $ahead ->
    [0] You are next.
    [one] 1 person is ahead of you.
   *[other] { $ahead } people are ahead of you.
}
wait-minutes = Estimated wait: about { $minutes } minutes.
wait-range = Estimated wait: { $from ->
    [0] less than { $to } minutes.
   *[other] about { $from } to { $to } minutes.
}
status-heading = Your place in line
status-connecting = Finding your place in line…
status-range = { $from ->
    [0] Less than { $to } minutes
   *[other] About { $from } to { $to } minutes
}
status-updates = This page updates by itself. We will call you here and on the lobby screen.
status-called = Please come to { $room } now.
status-in-room = You are in { $room }. Your care team will be with you soon.
status-done = Your visit is over. Thank you for coming.
status-booked = You are not checked in yet. Check in at the kiosk or with your reminder's link.
status-offline = Reconnecting… You keep your place in line.
status-away = You checked in from your phone. When you reach the clinic, tap “I'm here”.
status-here = I'm here
status-here-failed = That did not go through. Please try again, or tell the front desk you are here.
status-follow = Follow your place in line on your phone: scan this code.

outcome-checked_in = { $name }, you're checked in.
outcome-already_checked_in = { $name }, you're already checked in. Nothing else to do.
outcome-late = { $name }, you're checked in. You arrived after your appointment time, so your wait may be longer.
outcome-late-desk = Your appointment time has passed. Please see the front desk.
outcome-too_early = You're early. Check-in opens at { $time }.
outcome-wrong_day = Your appointment is on { $date }, not today. Please see the front desk if this is wrong.
outcome-cancelled = This appointment was cancelled. Please see the front desk.
outcome-unknown_code = We could not find this code. Please see the front desk.
outcome-invalid_code = That code doesn't look right. Please check it and try again.
outcome-confirm_identity = Please confirm your date of birth.
outcome-identity_mismatch = That date of birth does not match our records. { $tries ->
    [one] You have 1 more try.
   *[other] You have { $tries } more tries.
}
outcome-see_front_desk = Please see the front desk. They will check you in.
outcome-not_found = We could not find an appointment today with that name and date of birth. Please see the front desk.
too-many-attempts = Too many tries from this screen. Please see the front desk.
no-connection = This screen cannot reach the clinic's system right now. Please see the front desk.
check-in-unavailable = Check-in is unavailable: please see the front desk.
walk-ins-closed = Walk-ins are not checked in here. Please see the front desk.

idle-heading = Are you still there?
idle-text = To protect your privacy, this screen will start over in { $seconds } seconds.
idle-more-time = I need more time

phone-heading = Check in for your appointment
phone-lead = Confirm your date of birth to check in.

card-title = Appointment reminder
card-with = with { $provider }
card-how = When you arrive, scan this code at the check-in kiosk, or open it on your phone on the clinic's Wi-Fi.

lobby-now-calling = Now calling
lobby-speech = Ticket { $ticket }, please go to { $room }.
lobby-welcome = Welcome. Please take a seat.
lobby-hint = Your ticket number will appear here when a room is ready for you.
lobby-recent = Recent calls
