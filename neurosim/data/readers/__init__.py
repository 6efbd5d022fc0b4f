"""Readers of real event formats: N-MNIST binary, AEDAT 4, AEDAT 3.1, HDF5 spike datasets (SHD layout)."""

from neurosim.data.readers.aedat31 import decode_aedat31, encode_aedat31, read_aedat31
from neurosim.data.readers.aedat4 import decode_aedat4, read_aedat4
from neurosim.data.readers.hdf5_spikes import SpikeDataset, write_spike_dataset
from neurosim.data.readers.nmnist import decode_nmnist, read_nmnist

__all__ = ["read_nmnist", "decode_nmnist", "read_aedat4", "decode_aedat4", "read_aedat31", "decode_aedat31",
           "encode_aedat31", "SpikeDataset", "write_spike_dataset"]
