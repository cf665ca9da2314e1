"""SparseConvNet's modules, same names, arguments and parameter layouts."""

from .activations import ReLU, LeakyReLU, Sigmoid, Tanh, ELU, SELU, Dropout, BatchwiseDropout
from .batchnorm import BatchNormalization, BatchNormReLU, BatchNormLeakyReLU, BatchNormELU
from .convolution import (SubmanifoldConvolution, ValidConvolution, Convolution,
                          RandomizedStrideConvolution, Deconvolution, FullConvolution,
                          TransposeConvolution, NetworkInNetwork)
from .io_layers import (InputLayer, OutputLayer, BLInputLayer, BLOutputLayer, SparseToDense,
                        DenseToSparse)
from .networks import SparseVggNet, SparseResNet, UNet, FullyConvolutionalNet
from .pooling import MaxPooling, RandomizedStrideMaxPooling, AveragePooling, UnPooling
from .tables import Identity, Sequential, ConcatTable, JoinTable, AddTable

__all__ = [
    'ReLU', 'LeakyReLU', 'Sigmoid', 'Tanh', 'ELU', 'SELU', 'Dropout', 'BatchwiseDropout',
    'BatchNormalization', 'BatchNormReLU', 'BatchNormLeakyReLU', 'BatchNormELU',
    'SubmanifoldConvolution', 'ValidConvolution', 'Convolution', 'RandomizedStrideConvolution',
    'Deconvolution', 'FullConvolution', 'TransposeConvolution', 'NetworkInNetwork',
    'InputLayer', 'OutputLayer', 'BLInputLayer', 'BLOutputLayer', 'SparseToDense',
    'DenseToSparse', 'SparseVggNet', 'SparseResNet', 'UNet', 'FullyConvolutionalNet',
    'MaxPooling', 'RandomizedStrideMaxPooling', 'AveragePooling', 'UnPooling',
    'Identity', 'Sequential', 'ConcatTable', 'JoinTable', 'AddTable',
]
