"""Smart charging (OCPP 1.6 Smart Charging profile, 2.0.1 block K): profiles, limits, EV needs."""
