"""Simulators of spiking neuron models declared in :mod:`ndtheory.spec`."""
