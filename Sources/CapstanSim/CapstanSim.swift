// The simulated cluster behind `capstan sim`.
