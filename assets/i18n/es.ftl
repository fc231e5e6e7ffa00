# clinicflow interface text: Spanish (Latin American, usted). Keep the keys in step with en.ftl.

language-name = Español
date-order = dmy
date-placeholder = DD / MM / AAAA
clock = 24

weekday-1 = lunes
weekday-2 = martes
weekday-3 = miércoles
weekday-4 = jueves
weekday-5 = viernes
weekday-6 = sábado
weekday-7 = domingo
month-1 = enero
month-2 = febrero
month-3 = marzo
month-4 = abril
month-5 = mayo
month-6 = junio
month-7 = julio
month-8 = agosto
month-9 = septiembre
month-10 = octubre
month-11 = noviembre
month-12 = diciembre
long-date = { $weekday } { $day } de { $month }

kiosk-title = Registro
switch-language = Switch to English
welcome-heading = Bienvenido a { $clinic }
welcome-lead = Escanee el código QR de su recordatorio de cita.
scan-label = Escanee o escriba su código de registro
scan-hint = Ponga su recordatorio bajo el escáner, o escriba el código y pulse Intro.
scan-submit = Registrarme con este código
no-code = No tengo mi código
walk-in = No tengo cita
back = Atrás
start-over = Empezar de nuevo
done = Listo
continue = Continuar
one-moment = Un momento…

dob-heading = Escriba su fecha de nacimiento
dob-lead = Use el teclado. Ejemplo: { $example }
dob-example = 01 / 04 / 1950 para el 1 de abril de 1950
dob-clear = Borrar
dob-delete = Borrar el último número
dob-keypad = Teclado de la fecha de nacimiento; también se pueden escribir los números
dob-incomplete = Escriba los 8 números, por favor.
dob-not-a-date = Esa fecha no existe. Revísela, por favor.
dob-out-of-range = Revise el año, por favor.

find-heading = Buscar mi cita
find-lead = Escriba su apellido y luego su fecha de nacimiento.
last-name = Apellido
first-name = Nombre
name-required = Escriba su nombre, por favor.
choose-heading = ¿Cuál es su cita?
choice = { $time } con { $provider }

walk-in-heading = Visita sin cita
walk-in-lead = Escriba su nombre y luego su fecha de nacimiento.
reason-heading = ¿Cuál es el motivo de su visita?
reason-illness = Enfermedad (fiebre, tos, dolor de garganta)
reason-injury = Lesión
reason-refill = Renovar una receta
reason-results = Resultados de exámenes
reason-other = Otro motivo

your-number = Su número
have-a-seat = Tome asiento, por favor. Le llamaremos por su número.
wait-ahead = { $ahead ->
    [0] Usted es el siguiente.
    [one] Hay 1 persona antes que usted.
   *[other] Hay { $ahead } personas antes que usted.
}
wait-minutes = Espera aproximada: unos { $minutes } minutos.
wait-range = Espera aproximada: { $from ->
    [0] menos de { $to } minutos.
   *[other] de { $from } a { $to } minutos.
}
status-heading = Su lugar en la fila
status-connecting = Buscando su lugar en la fila…
status-range = { $from ->
    [0] Menos de { $to } minutos
   *[other] De { $from } a { $to } minutos
}
status-updates = Esta página se actualiza sola. Le llamaremos aquí y en la pantalla de la sala de espera.
status-called = Por favor, pase ahora a { $room }.
status-in-room = Está en { $room }. Su equipo de atención vendrá pronto.
status-done = Su visita ha terminado. Gracias por venir.
status-booked = Todavía no está registrado. Regístrese en el quiosco o con el enlace de su recordatorio.
status-offline = Reconectando… Conserva su lugar en la fila.
status-away = Se registró desde su teléfono. Cuando llegue a la clínica, toque «Ya llegué».
status-here = Ya llegué
status-here-failed = No se pudo enviar. Inténtelo de nuevo o avise en recepción que ya llegó.
status-follow = Siga su lugar en la fila en su teléfono: escanee este código.

outcome-checked_in = { $name }, ya está registrado.
outcome-already_checked_in = { $name }, usted ya está registrado. No tiene que hacer nada más.
outcome-late = { $name }, ya está registrado. Llegó después de la hora de su cita, así que su espera puede ser más larga.
outcome-late-desk = La hora de su cita ya pasó. Pase a la recepción, por favor.
outcome-too_early = Llegó temprano. El registro abre a las { $time }.
outcome-wrong_day = Su cita es el { $date }, no hoy. Si no es así, pase a la recepción.
outcome-cancelled = Esta cita fue cancelada. Pase a la recepción, por favor.
outcome-unknown_code = No encontramos este código. Pase a la recepción, por favor.
outcome-invalid_code = Ese código no parece correcto. Revíselo e inténtelo de nuevo.
outcome-confirm_identity = Confirme su fecha de nacimiento, por favor.
outcome-identity_mismatch = Esa fecha de nacimiento no coincide con nuestros datos. { $tries ->
    [one] Le queda 1 intento.
   *[other] Le quedan { $tries } intentos.
}
outcome-see_front_desk = Pase a la recepción, por favor. Allí le registrarán.
outcome-not_found = No encontramos una cita para hoy con ese apellido y fecha de nacimiento. Pase a la recepción, por favor.
too-many-attempts = Demasiados intentos desde esta pantalla. Pase a la recepción, por favor.
no-connection = Esta pantalla no puede conectarse con el sistema de la clínica. Pase a la recepción, por favor.
check-in-unavailable = El registro no está disponible: pase a la recepción, por favor.
walk-ins-closed = Las visitas sin cita no se registran aquí. Pase a la recepción, por favor.

idle-heading = ¿Sigue ahí?
idle-text = Para proteger su privacidad, esta pantalla volverá al inicio en { $seconds } segundos.
idle-more-time = Necesito más tiempo

phone-heading = Registro para su cita
phone-lead = Confirme su fecha de nacimiento para registrarse.

card-title = Recordatorio de cita
card-with = con { $provider }
card-how = Al llegar, escanee este código en el quiosco de registro, o ábralo en su teléfono con el Wi-Fi de la clínica.

lobby-now-calling = Llamando a
lobby-speech = Número { $ticket }, por favor pase a { $room }.
lobby-welcome = Bienvenido. Por favor, tome asiento.
lobby-hint = Su número aparecerá aquí cuando haya una sala lista para usted.
lobby-recent = Llamadas recientes
