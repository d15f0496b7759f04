"""Short news texts of two unrelated stories, shared by the clustering and story-state tests."""

QUAKE = [
    "A magnitude 6.1 earthquake struck the Aegean island of Samos on Tuesday, damaging houses and a port.",
    "The earthquake near Samos shook buildings as far as Izmir; Greek officials said the port was damaged.",
    "Rescuers on Samos searched damaged houses after Tuesday's earthquake, which was felt in Izmir.",
]
FINANCE = [
    "The central bank of Norway raised its policy rate by half a point to fight inflation, the governor said.",
    "Norway's central bank governor defended the half-point rate rise, saying inflation was too high.",
    "Economists had expected Norway's central bank to raise its rate; the krone rose after the decision.",
]
