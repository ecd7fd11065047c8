"""`flask seed-demo`: a bilingual demo event with guests in every state, and its staff.

Every name, organization and address is invented; e-mail addresses use the
reserved example.* domains, so nothing the demo does can reach a real inbox.
Everything is written directly, in one transaction and without any mail.

- command.py: the command, the demo's staff accounts and the order the parts are written in
- event.py: the event, its dates, look and practical information
- people.py: invented people, named in their own script and in Latin letters
- guests.py: registrations in every state with their history, and invitations
- programme.py: rooms, tracks, speakers, sessions, agendas, announcements, a survey
- logistics.py: hotels and stays, cars and pickups, diets, budget and meal rates
"""
