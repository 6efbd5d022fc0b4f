"""Event data: tonic-compatible event arrays, readers of real formats, encoders, a cochlear front end, a DVS
emulator, image-to-sound soundscapes and the embedded datasets."""

from neurosim.data.adaptation import channel_statistics, normalize_groups
from neurosim.data.cochlea import Cochlea
from neurosim.data.datasets import (ArrayDataset, EventDataset, Sample, load_soundscape_digits, load_spoken_digits,
                                    load_vision_digits)
from neurosim.data.dvs import emulate as dvs_emulate
from neurosim.data.folders import load_event_dataset, load_wav_folder, read_wav
from neurosim.data.splits import Fold, leave_one_group_out
from neurosim.data.dvs import saccades
from neurosim.data.encoders import delta, latency, rate
from neurosim.data.events import (AUDIO_DTYPE, VISION_DTYPE, crop, denoise, downsample, make_events, time_jitter,
                                  to_frames, to_spike_train)
from neurosim.data.nmnist_folder import NMNIST
from neurosim.data.soundscape import soundscape, soundscape_events
from neurosim.data.readers import SpikeDataset, read_aedat4, read_aedat31, read_nmnist, write_spike_dataset

__all__ = ["Cochlea", "channel_statistics", "normalize_groups", "EventDataset", "load_wav_folder", "load_event_dataset", "read_wav", "leave_one_group_out", "Fold", "ArrayDataset", "Sample", "load_spoken_digits", "load_vision_digits", "load_soundscape_digits",
           "soundscape", "soundscape_events", "dvs_emulate", "saccades",
           "rate", "latency", "delta", "AUDIO_DTYPE", "VISION_DTYPE", "make_events", "to_frames", "to_spike_train",
           "downsample", "crop", "denoise", "time_jitter", "SpikeDataset", "read_nmnist", "read_aedat4",
           "read_aedat31", "write_spike_dataset", "NMNIST"]
