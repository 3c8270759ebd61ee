"""Getting drills to runners: what to send today (planner), sending it (sender), and the daily dispatcher."""
