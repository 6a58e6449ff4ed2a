"""Guards for a board on a shared hospital network: who is local, password attempts, URL
parameters, upload names and the server's clear-cache message (README: «Sikkerhet»)."""
