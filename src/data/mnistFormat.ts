import type { MnistLikeFormat } from './mnistLikeFormat.js';

/**
 * MNIST (LeCun, Cortes & Burges): 60,000 training and 10,000 test 28×28 grey images of handwritten
 * digits. Sizes and MD5s are those of the original `.gz` files from yann.lecun.com/exdb/mnist/ (the MD5s
 * torchvision checks); the address is torchvision's https mirror, because the original site now often
 * refuses automated downloads.
 */
export const MNIST_FORMAT: MnistLikeFormat = {
  title: 'MNIST',
  apiName: 'Mnist',
  cacheName: 'mnist',
  baseUrl: 'https://ossci-datasets.s3.amazonaws.com/mnist/',
  files: {
    trainImages: { bytes: 9_912_422, md5: 'f68b3c2dcbeaaa9fbdd348bbdeb94873' },
    trainLabels: { bytes: 28_881, md5: 'd53e105ee54ea40749a09fcbcd1e9432' },
    testImages: { bytes: 1_648_877, md5: '9fb629c4189551a2d022fa330f9573f3' },
    testLabels: { bytes: 4_542, md5: 'ec29112dd5afa0611ce80d1b7f02629c' },
  },
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
};
